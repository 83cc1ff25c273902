from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestServiceEvent(WarrantyCase):
    """Service events are recorded against serials, judged against the warranty on their own
    date, and kept: a done event does not change and is never deleted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial = cls._build_device("W-EV-1", "W-EV-SB-1")
        with freeze_time("2025-06-01 09:00:00"):
            cls._sell(cls.customer_clinic, [(cls.device, "W-EV-1", 1)])
        cls.user = cls._user("w_ev_user", "trace_compliance.group_trace_user")
        cls.Event = cls.env["trace.service.event"].with_user(cls.user)

    def test_in_warranty_at_event_date(self):
        inside = self.Event.create(
            {"lot_id": self.serial.id, "event_type": "complaint", "date": "2026-05-31 12:00:00", "description": "Noise"}
        )
        outside = self.Event.create(
            {"lot_id": self.serial.id, "event_type": "maintenance", "date": "2026-06-02 12:00:00"}
        )
        self.assertTrue(inside.in_warranty)
        self.assertFalse(outside.in_warranty)
        self.assertIn("ended on 2026-05-31", outside.warranty_reason)
        self.assertEqual(inside.partner_id, self.customer_clinic, "the serial's customer by default")
        self.assertTrue(inside.name.startswith("SVC/"))
        self.assertEqual(self.serial.service_event_count, 2)
        self.assertEqual(
            [e["event_type"] for e in self.env["stock.lot"].warranty_lookup("W-EV-1")["events"]],
            ["maintenance", "complaint"],
        )

    def test_done_event_is_kept(self):
        event = self.Event.create({"lot_id": self.serial.id, "event_type": "inspection", "result": "Passed"})
        event.action_done()
        with self.assertRaisesRegex(UserError, "no longer change"):
            event.write({"date": "2020-01-01 00:00:00"})
        event.result = "Passed, seal replaced"  # the notes stay editable
        with self.assertRaises(UserError):
            event.action_cancel()
        manager = self._user("w_ev_manager", "trace_compliance.group_trace_manager")
        with self.assertRaisesRegex(UserError, "never deleted"):
            event.with_user(manager).unlink()
        with self.assertRaises(AccessError):
            event.with_user(self.user).unlink()
        self.assertTrue(event.exists())
        entries = self.env["trace.audit.log"].search([("model", "=", "trace.service.event"), ("res_id", "=", event.id)])
        self.assertIn("result", entries.mapped("field_name"))
        # An event to do can be cancelled and deleted by a manager.
        draft = self.Event.create({"lot_id": self.serial.id, "event_type": "maintenance"})
        draft.action_cancel()
        draft.with_user(manager).unlink()
        self.assertFalse(draft.exists())

    def test_bad_input(self):
        chain_lot = self._lot(self.flour, "W-EV-FLOUR")
        with self.assertRaisesRegex(ValidationError, "not a serial number"), self.cr.savepoint():
            self.Event.create({"lot_id": chain_lot.id, "event_type": "inspection"})
        with self.assertRaisesRegex(ValidationError, "itself"), self.cr.savepoint():
            self.Event.create(
                {"lot_id": self.serial.id, "event_type": "replacement", "installed_lot_ids": self.serial.ids}
            )
        other = self._lot(self.board, "W-EV-SB-X")
        with self.assertRaisesRegex(ValidationError, "both installed and removed"), self.cr.savepoint():
            self.Event.create(
                {
                    "lot_id": self.serial.id,
                    "event_type": "replacement",
                    "installed_lot_ids": other.ids,
                    "removed_lot_ids": other.ids,
                }
            )
        with self.assertRaisesRegex(ValidationError, "cannot be negative"), self.cr.savepoint():
            self.Event.create({"lot_id": self.serial.id, "event_type": "repair", "cost_charged": -5})
        # Nothing refused was kept.
        self.assertEqual(self.env["trace.service.event"].search_count([("lot_id", "=", self.serial.id)]), 0)

    def test_access(self):
        event = self.Event.create({"lot_id": self.serial.id, "event_type": "inspection"})
        auditor = self._user("w_ev_auditor", "trace_compliance.group_trace_auditor")
        self.assertEqual(event.with_user(auditor).event_type, "inspection")
        with self.assertRaises(AccessError):
            event.with_user(auditor).write({"result": "x"})
        plain = self._user("w_ev_plain", "base.group_user")
        with self.assertRaises(AccessError):
            self.env["trace.service.event"].with_user(plain).search([])
        other_company = self.env["res.company"].create({"name": "W Other Co"})
        outsider = self._user("w_ev_outsider", "trace_compliance.group_trace_manager", company=other_company)
        self.assertFalse(self.env["trace.service.event"].with_user(outsider).search([("id", "=", event.id)]))

    def test_each_event_keeps_its_own_link(self):
        """A board installed into the same serial by two service events (installed, removed,
        installed again) gives two links, one per event: neither document is dropped."""
        board = self._lot(self.board, "W-EV-SB-2")
        events = self.env["trace.service.event"]
        for event_type, installed, removed in (
            ("replacement", board, self.env["stock.lot"]),
            ("repair", self.env["stock.lot"], board),
            ("replacement", board, self.env["stock.lot"]),
        ):
            event = self.Event.create(
                {
                    "lot_id": self.serial.id,
                    "event_type": event_type,
                    "installed_lot_ids": installed.ids,
                    "removed_lot_ids": removed.ids,
                }
            )
            event.action_done()
            events |= event
        links = self.env["trace.lot.link"].search([("parent_lot_id", "=", board.id), ("link_type", "=", "service")])
        self.assertEqual(links.service_event_id, events[0] | events[2])
        self.assertEqual(len(links), 2)
        # Done again (the sync is idempotent): still one link per event.
        self.env["trace.lot.link"]._sync_service_events(events.ids)
        self.assertEqual(
            self.env["trace.lot.link"].search_count([("parent_lot_id", "=", board.id), ("link_type", "=", "service")]),
            2,
        )
