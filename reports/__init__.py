"""Reports: the referral cascade and exports."""
