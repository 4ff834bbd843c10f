"""The company's pay policy: one per company, written through core.policy, so the
server checks every field exactly as a site does.

The server makes the policy with its company (:func:`server.admin.create_company`)
under the company's id, unpublished (no version, not in the change feed) until a
site writes it. The first write from a site is a PATCH with ``If-Match: "0"`` (its
edit of a policy no server has acknowledged yet) or a create with
``If-None-Match: *`` under the company's id (a store joining an empty company
uploading its policy); either takes the unpublished policy over and publishes it,
so joining, uploading and a first download need no special route. A create under
another id, or once the policy is published, is refused (409 and 412): there is
one policy per company. It is never deleted.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from core.errors import Duplicate, IllegalState
from core.models import PayPolicy, Synced
from core.policy import set_policy
from core.wire import COLLECTIONS, Collection
from server.routers.collections import Endpoint, Ops

PAY_POLICIES = COLLECTIONS["paypolicies"]


class PayPolicyOps(Ops):
    def create(
        self,
        session: Session,
        spec: Collection,
        company_id: str,
        record_id: str,
        values: dict,
        actor: str,
    ) -> Synced:
        if record_id != company_id:
            raise Duplicate(
                "id",
                f"a company has one pay policy, whose id is the company's ({company_id});"
                f" change it with PATCH /v1/paypolicies/{company_id}",
            )
        policy = session.get(PayPolicy, company_id)
        if policy is None:  # a company made before policies were made with it
            policy = PayPolicy(company_id=company_id)
            session.add(policy)
            session.flush()
        set_policy(session, company_id=company_id, **values)
        return policy

    def update(
        self, session: Session, spec: Collection, record: Synced, values: dict, actor: str
    ) -> None:
        assert isinstance(record, PayPolicy)
        set_policy(session, company_id=record.company_id, **values)

    def delete(self, session: Session, spec: Collection, record: Synced, actor: str) -> None:
        raise IllegalState("id", "a company always has its pay policy; change its fields instead")


#: Read with ``attendance:read`` and changed with ``attendance:write``, as the pay
#: periods are: every site that derives attendance and pay needs the policy. Its
#: fields that change what payroll computes (``core.models.policy.PAY_FIELDS``:
#: grace, punch windows, overnight day, week start, overtime, penalty, unpaid
#: break) are guarded as pay (``core.wire``): shown with ``pay:read``, changed with
#: ``pay:write``; a write that leaves them as stored needs neither.
ENDPOINT = Endpoint(PAY_POLICIES, "attendance", PayPolicyOps())
