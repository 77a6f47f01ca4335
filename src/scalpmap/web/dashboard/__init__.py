"""The dashboard: cases by stage, follow-ups due and new enquiries."""
