"""Treatment: referrals to laser facilities, the session log and clearance checks in the web app.

Pages (``routes``), JSON API (``api``), form parsing (``forms``), the case page's treatment part
and the opening of records (``orchestration``), the follow-up workflow (``follow_ups``), the
report PDFs (``report_pdfs``) and file answers (``files``).

Roles: every signed-in staff member may look at referrals, sessions and clearance checks,
download letters, move a referral's status forward, log laser and SMP sessions, add follow-up
photos and measure them again. Only practitioners and admins may make a referral (reception gets
403), as only they may edit plans: a referral sends a plan version to a facility.
"""
