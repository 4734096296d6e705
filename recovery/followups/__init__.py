"""Follow-ups days later: ask the customer how it went, remind once, act on the answer.

`schedule` arms and cancels the follow-up's timers as a case moves (beside the SLA keeper);
`asker` is the engine's room that asks, reminds, closes quietly and records the answer.
"""
