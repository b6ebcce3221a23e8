"""好差评: the one path every rating of a ticket takes, whether a pad, a desk or an operator
sends it to the rating endpoint or a device pushes it as a sync record.

Who may rate which ticket: a pad or keypad only the tickets finished at its own window; a
kiosk or dispenser only by the ticket's signed reference (`<ticket>.<sig>`, from the QR printed
on it), as the follow page does, never by the bare, guessable id; operators and supervisors
any ticket; staff none (they do not rate their own service). What a rating may say: reasons
from the hall's configured list only, and no ID number in its text. The engine then keeps
one rating per finished visit.
"""
from __future__ import annotations

from typing import Any

from hall import api_models as m
from hall.api.common import ApiContext, ApiError, refuse_id_numbers
from hall.auth import AuthError, Principal
from hall.domain.errors import NotFound

RATERS = frozenset({"pad", "kiosk", "dispenser", "operator", "supervisor"})
WINDOW_RATERS = frozenset({"pad"})  # rate only what was finished at their window
SIGNED_RATERS = frozenset({"kiosk", "dispenser"})  # rate only by the ticket's signed reference

class Ratings:
    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx
        self.reasons = frozenset(ctx.config.evaluation.bad_reasons)

    def ticket_of(self, who: Principal | None, ref: str) -> str:
        """The ticket `who` means by `ref`, if `who` may rate it (None: the holder of the printed
        ticket, on the follow page, for whom `ref` must be signed)."""
        if who is not None and who.role not in RATERS:
            raise AuthError(403, f"{who.role} 不能提交评价")
        if who is None or who.role in SIGNED_RATERS:
            ticket = self.ctx.identity.verify(ref)
            if ticket is None:
                raise NotFound("没有这张票，或票的签名不对：请扫描票上的二维码（the ticket's signed reference）",
                               ticket=ref[:80])
            return ticket
        if who.role in WINDOW_RATERS:
            current = self.ctx.service.state.tickets.get(ref)
            if current is None or current.window not in who.windows:
                raise AuthError(403, "评价器只能评价本窗口办结的业务")
        return ref

    def params(self, ticket: str, body: m.PublicRatingBody, channel: str) -> dict[str, Any]:
        """The rate command's parameters, once the reasons and the text pass the hall's rules."""
        unknown = [r for r in body.reasons if r not in self.reasons]
        if unknown:
            raise ApiError(422, "invalid", f"reasons: 不在本厅的差评原因中：{'、'.join(unknown)}"
                                          f"（one of: {'、'.join(sorted(self.reasons))}）", field="reasons")
        refuse_id_numbers("text", body.text)
        params = {"ticket": ticket, "level": body.level, "reasons": list(body.reasons), "text": body.text,
                  "channel": channel}
        cases = self.ctx.cases.of_ticket(ticket) if self.ctx.cases is not None else []
        if cases:  # the visit's cases: the rating names them and their matter (一事一评)
            params.update(cases=[c.id for c in cases], case_matter=cases[0].matter)
        return params

    def rate(self, who: Principal | None, ref: str, body: m.PublicRatingBody, channel: str,
             key: str | None = None) -> dict[str, Any]:
        """Rates the ticket `ref` for `who`, under every rule above; once per key."""
        ticket = self.ticket_of(who, ref)
        params = self.params(ticket, body, channel)
        if who is None:
            return self.ctx.service.execute("rate", params)
        return self.ctx.run(who, "rate", params, key)
