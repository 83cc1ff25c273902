"""Property-based tests (hypothesis) of the public methods and wizards.

Each generated call ends in a correct result or a clear UserError / ValidationError /
AccessError (all UserError subclasses in Odoo 18), never another exception; after a
refusal every row is as it was. Each example runs in a savepoint rolled back afterwards.
"""

import math
from contextlib import closing
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import WarrantyCase

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - requirements.txt installs it
    given = None

HOSTILE = ["O'Brien; DROP TABLE stock_lot; --", "100% _wild_", "back\\slash", "ünïcödé ✓", "$1 %s %(x)s"]

if given:
    SETTINGS = settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    # No NUL: PostgreSQL text cannot hold it (for every Odoo field, not only ours).
    TEXT = st.one_of(
        st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40),
        st.sampled_from(HOSTILE),
    )
    ANY_VALUE = st.one_of(st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(), TEXT)
else:  # pragma: no cover

    def given(*_args, **_kwargs):
        return lambda test: None

    SETTINGS = TEXT = ANY_VALUE = st = None

    def settings(*_args, **_kwargs):
        return lambda test: test


def _skip_without_hypothesis(cls):
    if given.__module__ == __name__:  # the stand-in above
        cls.__unittest_skip__ = True
        cls.__unittest_skip_why__ = "hypothesis is not installed (pip install -r requirements.txt)"
    return cls


@_skip_without_hypothesis
@tagged("post_install", "-at_install")
class TestProperties(WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.lots = cls.env["stock.lot"].search([("name", "=like", "T-%")])
        cls.serial = cls._build_device("W-PR-1", "W-PR-SB-1")
        cls._sell(cls.customer_clinic, [(cls.device, "W-PR-1", 1)])
        cls.other_company = cls.env["res.company"].create({"name": "W PR Other Co"})
        cls.other_lot = cls.env["stock.lot"].create(
            {"name": "W-PR-OTHER", "product_id": cls.flour.id, "company_id": cls.other_company.id}
        )
        cls.user = cls._user("w_pr_user", "trace_compliance.group_trace_user,trace_recall.group_recall_user")
        cls.certificate_type = cls.env["trace.certificate.type"].create(
            {"name": "W PR CoA", "code": "WPRCOA", "file_required": False}
        )
        cls.lot_ids = cls.lots.ids + cls.serial.ids + cls._lot(cls.board, "W-PR-SB-1").ids

    def _attempt(self, action, check, strict=True):
        """Run ``action()`` in a savepoint rolled back afterwards and hand ``check`` its result,
        or the UserError (ValidationError, AccessError) it raised.

        ``strict``: the refusal must come before any write (rows compared before the rollback),
        as the public methods promise. Otherwise (a create refused by a constraint) the
        transaction's rollback undoes it, as it does over RPC.
        """
        with closing(self.env.cr.savepoint()):
            before = self._rows()
            try:
                result = action()
            except UserError as error:
                if strict:
                    self._assert_rows_unchanged(before, f"call ({error})")
                result = error
            check(result)

    # ------------------------------------------------------------------
    # trace API
    # ------------------------------------------------------------------
    @SETTINGS
    @given(
        picks=st.lists(st.integers(0, 40), max_size=12),
        extra=st.lists(st.one_of(st.integers(-3, 0), st.integers(10**6, 2**31 - 1)), max_size=3),
        foreign=st.booleans(),
        depth=st.one_of(st.none(), st.integers(-2, 12), ANY_VALUE),
        direction=st.sampled_from(["trace_forward", "trace_backward"]),
    )
    def test_trace_api(self, picks, extra, foreign, depth, direction):
        known = [self.lot_ids[i % len(self.lot_ids)] for i in picks]
        ids = known + extra + ([self.other_lot.id] if foreign else [])
        lots = self.env["stock.lot"].with_user(self.user).browse(ids)
        valid_depth = depth is None or (isinstance(depth, int) and not isinstance(depth, bool) and depth >= 1)

        def check(outcome):
            if not ids or extra or not valid_depth:
                self.assertIsInstance(outcome, UserError)
            elif foreign:
                self.assertIsInstance(outcome, AccessError)
            else:
                self.assertIsInstance(outcome, dict, outcome)
                reached = set(outcome["lot_ids"])
                # Metamorphic: the trace of several lots is the union of their traces, less the start.
                union = set().union(*(getattr(lot, direction)(depth)["lot_ids"] for lot in lots))
                self.assertEqual(reached, union - set(ids))
                if depth:
                    self.assertLessEqual(reached, set(getattr(lots, direction)()["lot_ids"]))
                self.assertNotIn(self.other_lot.id, reached)

        self._attempt(lambda: getattr(lots, direction)(depth), check)

    @SETTINGS
    @given(count=st.integers(1000, 5000))
    def test_trace_api_long_lists(self, count):
        ids = (self.lot_ids * (count // len(self.lot_ids) + 1))[:count]
        expected = set(self.env["stock.lot"].browse(set(ids)).trace_forward()["lot_ids"])
        self._attempt(
            lambda: self.env["stock.lot"].browse(ids).trace_forward(),
            lambda outcome: self.assertEqual(set(outcome["lot_ids"]), expected),
        )

    @SETTINGS
    @given(term=st.one_of(TEXT, st.sampled_from(["T-FL-1", " t-fl-1 ", "T-%", "T-__-1", "W-PR-1"])))
    def test_genealogy_search(self, term):
        explore = self.env["trace.genealogy.explore"].with_user(self.user).create({"search_term": term})

        def check(outcome):
            if isinstance(outcome, UserError):
                self.assertTrue(not term.strip() or "No lot" in str(outcome), outcome)
                return
            self.assertTrue(explore.lot_ids)
            for lot in explore.lot_ids:
                numbers = (lot.name.lower(), (lot.ref or "").lower(), (lot.vendor_lot_number or "").lower())
                self.assertIn(term.strip().lower(), numbers)

        self._attempt(explore.action_search, check)

    @SETTINGS
    @given(
        status=st.one_of(st.sampled_from(["released", "quarantine", "on_hold", "rejected", "recalled"]), TEXT),
        reason=st.one_of(TEXT, ANY_VALUE),
    )
    def test_set_quality_status(self, status, reason):
        lot = self.chain["T-DO-1"].with_user(self.user)
        before = lot.quality_status
        allowed = status in ("quarantine", "on_hold") and reason and str(reason).strip()

        def check(outcome):
            if allowed:
                self.assertEqual(outcome, status)
            else:
                self.assertIsInstance(outcome, UserError)
                self.assertEqual(lot.quality_status, before)

        self._attempt(lambda: (lot.set_quality_status(status, reason), lot.quality_status)[1], check)

    # ------------------------------------------------------------------
    # recall start criteria
    # ------------------------------------------------------------------
    @SETTINGS
    @given(
        mode=st.sampled_from(["lots", "product", "vendor_lot", "vendor"]),
        vendor_lot=st.one_of(st.just(False), TEXT, st.sampled_from(["T-FL-1", "%", "t-fl-1 "])),
        picks=st.lists(st.integers(0, 40), max_size=4),
        dates=st.one_of(
            st.none(),
            st.tuples(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.dates(date(2000, 1, 1), date(2100, 1, 1))),
        ),
        reason=TEXT,
    )
    def test_recall_start(self, mode, vendor_lot, picks, dates, reason):
        self.chain["T-FL-1"].vendor_lot_number = "T-FL-1"
        values = {
            "selection_mode": mode,
            "vendor_lot_number": vendor_lot,
            "reason": reason,
            "lot_ids": [Command.set([self.lot_ids[i % len(self.lot_ids)] for i in picks])],
            "product_id": self.flour.id,
            "vendor_id": self.vendor_mill.id,
            "is_drill": True,
        }
        if dates:
            values.update(date_from=dates[0], date_to=dates[1])

        def start():
            wizard = self.env["trace.recall.start"].with_user(self.user).create(values)
            return self.env["trace.recall"].browse(wizard.action_start()["res_id"])

        def check(outcome):
            if isinstance(outcome, UserError):
                return
            recall = outcome
            self.assertTrue(reason.strip(), "a recall needs a reason")
            self.assertTrue(recall.lot_ids)
            self.assertLessEqual(set(recall.lot_ids.ids), set(recall.affected_lot_ids.ids))
            self.assertEqual(recall.compute_state, "done")
            if mode == "vendor_lot":
                self.assertEqual(
                    {lot.vendor_lot_number.lower() for lot in recall.lot_ids}, {vendor_lot.strip().lower()}
                )
            if mode == "lots":
                self.assertEqual(set(recall.lot_ids.ids), {self.lot_ids[i % len(self.lot_ids)] for i in picks})

        self._attempt(start, check, strict=False)

    # ------------------------------------------------------------------
    # certificate results
    # ------------------------------------------------------------------
    @SETTINGS
    @given(
        value=st.one_of(st.floats(), st.integers(-(10**12), 10**12), TEXT, st.none()),
        lower=st.one_of(st.floats(-1e6, 1e6), st.just(False), TEXT),
        upper=st.one_of(st.floats(-1e6, 1e6), st.just(False), TEXT),
    )
    def test_certificate_results(self, value, lower, upper):
        def create():
            certificate = self.env["trace.certificate"].create(
                {
                    "name": "W-PR-CERT",
                    "type_id": self.certificate_type.id,
                    "partner_id": self.vendor_mill.id,
                    "lot_ids": [Command.set(self.chain["T-FL-1"].ids)],
                    "result_ids": [
                        Command.create({"name": "Moisture", "value": value, "lower_limit": lower, "upper_limit": upper})
                    ],
                }
            )
            return certificate.result_ids

        def check(outcome):
            if isinstance(outcome, UserError):
                return
            line = outcome
            self.assertTrue(math.isfinite(line.value))
            if line.limit_type == "none":
                self.assertEqual(line.result, "none")
                return
            inside = (line.limit_type == "max" or line.value >= line.lower_limit) and (
                line.limit_type == "min" or line.value <= line.upper_limit
            )
            self.assertEqual(line.result, "pass" if inside else "fail", (value, lower, upper, line.limit_type))

        self._attempt(create, check, strict=False)

    # ------------------------------------------------------------------
    # warranty lookup
    # ------------------------------------------------------------------
    @SETTINGS
    @given(
        serial=st.one_of(
            ANY_VALUE, st.sampled_from(["W-PR-1", " W-PR-1 ", "w-pr-1", "W-PR-SB-1"]), st.lists(TEXT, max_size=2)
        ),
        product=st.one_of(st.none(), ANY_VALUE),
    )
    def test_warranty_lookup(self, serial, product):
        def check(outcome):
            if isinstance(outcome, UserError):
                return
            self.assertIsInstance(serial, str)
            self.assertEqual(outcome["serial"], serial.strip())
            self.assertIn(outcome["warranty_state"], ("none", "active", "expired"))
            if product:
                self.assertEqual(outcome["product"]["id"], product)

        Lot = self.env["stock.lot"].with_user(self.user)
        self._attempt(lambda: Lot.warranty_lookup(serial, product_id=product), check)
