"""The 差评 follow-up ledger: every 不满意/非常不满意 rating verified, fixed or explained, fed
back to the citizen and closed, on deadlines the hall configures (DOMAIN.md, 差评 follow-up)."""
