from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_certificate import CertificateCase


@tagged("post_install", "-at_install")
class TestCertificateEnforcement(CertificateCase):
    """Receipts and deliveries, validated by a stock user who cannot read certificates."""

    def _validate(self, picking):
        return picking.with_user(self.stock_user).button_validate()

    def _last_note(self, record):
        return record.message_ids[:1].body or ""

    # ------------------------------------------------------------------
    # receipts
    # ------------------------------------------------------------------
    def test_receipt_block(self):
        self._require(self.flour, self.coa, "receipt", "block")
        receipt = self._receive(self.vendor_mill, [(self.flour, "T-FL-B1", 100)], validate=False)
        lot = self._lot(self.flour, "T-FL-B1")
        with self.assertRefused(
            UserError, r"(?s)cannot be validated.*Test Flour, lot T-FL-B1: Test Certificate of Analysis"
        ):
            self._validate(receipt)
        self.assertNotEqual(receipt.state, "done")
        self.assertEqual(lot.product_qty, 0, "nothing received")
        # A draft, a failing or another type's certificate does not count.
        draft = self._certificate(lot, validate=False)
        self._certificate(lot, self.coc)
        with self.assertRefused(UserError, "T-FL-B1"):
            self._validate(receipt)
        failing = self._certificate(lot, number="FAILING", validate=False)
        failing.result_ids.filtered(lambda r: r.parameter_id == self.moisture).value = 15.2
        failing.with_user(self.trace_user).action_validate()
        self.assertEqual(failing.result, "fail")
        with self.assertRefused(UserError, "T-FL-B1"):
            self._validate(receipt)
        # The valid, passing certificate lets it through.
        draft.with_user(self.trace_user).action_validate()
        self._validate(receipt)
        self.assertEqual(receipt.state, "done")
        self.assertEqual(lot.product_qty, 100)
        self.assertEqual(lot.quality_status, "released")

    def test_receipt_block_of_a_lot_named_on_the_receipt(self):
        """A lot typed on the receipt does not exist yet: it has no certificate, and the
        refused validation creates nothing."""
        self._require(self.flour, self.coa, "receipt", "block")
        receipt = self._receive(self.vendor_mill, [(self.flour, "T-FL-B2", 10)], validate=False)
        receipt.move_line_ids.write({"lot_id": False, "lot_name": "T-FL-NEW"})
        with self.assertRefused(UserError, "lot T-FL-NEW: Test Certificate of Analysis"):
            self._validate(receipt)
        self.assertFalse(self.env["stock.lot"].search([("name", "=", "T-FL-NEW")]))
        self.assertNotEqual(receipt.state, "done")

    def test_receipt_warn_quarantines_then_certificate_releases(self):
        self.company.trace_certificate_release = True
        self._require(self.flour, self.coa, "receipt", "warn")
        self._require(self.flour, self.coc, "receipt", "warn")
        receipt = self._receive(self.vendor_mill, [(self.flour, "T-FL-W1", 100)], validate=False)
        self._validate(receipt)
        self.assertEqual(receipt.state, "done")
        note = self._last_note(receipt)
        self.assertIn("T-FL-W1", note)
        self.assertIn("Test Certificate of Analysis", note)
        self.assertIn("Test Certificate of Conformity", note)
        lot = self._lot(self.flour, "T-FL-W1")
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertTrue(lot.trace_awaiting_certificate)
        self.assertIn("without its certificates", lot.quality_status_reason)
        # Quarantined flour cannot be shipped.
        delivery = self._deliver(self.customer_shop, [(self.flour, "T-FL-W1", 10)], validate=False)
        with self.assertRefused(UserError, "not released"):
            self._validate(delivery)
        # The certificate of analysis alone is not enough: the certificate of conformity is missing.
        coa = self._certificate(lot)
        self.assertEqual(lot.quality_status, "quarantine")
        self._certificate(lot, self.coc)
        self.assertEqual(lot.quality_status, "released")
        self.assertFalse(lot.trace_awaiting_certificate)
        self.assertEqual(lot.quality_status_user_id, self.trace_user)
        self.assertIn("TCOC CERT-T-FL-W1-TCOC", lot.quality_status_reason)
        self.assertTrue(coa.exists())
        self._validate(delivery)
        self.assertEqual(delivery.state, "done")

    def test_release_needs_the_setting_and_a_passing_certificate(self):
        self._require(self.flour, self.coa, "receipt", "warn")
        self._receive(self.vendor_mill, [(self.flour, "T-FL-R1", 10), (self.flour, "T-FL-R2", 10)])
        lot_1, lot_2 = self._lot(self.flour, "T-FL-R1"), self._lot(self.flour, "T-FL-R2")
        self.assertEqual((lot_1 | lot_2).mapped("quality_status"), ["quarantine", "quarantine"])
        # Setting off: nothing is released.
        self.company.trace_certificate_release = False
        self._certificate(lot_1, number="R1-A")
        self.assertEqual(lot_1.quality_status, "quarantine")
        self.company.trace_certificate_release = True
        # A failing certificate releases nothing.
        failing = self._certificate(lot_2, validate=False)
        failing.result_ids.filtered(lambda r: r.parameter_id == self.protein).value = 9.5
        failing.with_user(self.trace_user).action_validate()
        self.assertEqual(lot_2.quality_status, "quarantine")
        # A lot a user quarantined for another reason is not released by a certificate.
        lot_1.with_user(self.trace_manager).set_quality_status("on_hold", "Pest found in the sack")
        lot_1.with_user(self.trace_manager).set_quality_status("quarantine", "Waiting for fumigation report")
        self.assertFalse(lot_1.trace_awaiting_certificate)
        with self.assertRefused(UserError, "Set Status"):
            lot_1.with_user(self.trace_manager).write({"trace_awaiting_certificate": True})
        self._certificate(lot_1 | lot_2, number="R12-B")
        self.assertEqual(lot_1.quality_status, "quarantine")
        self.assertEqual(lot_2.quality_status, "released")

    def test_product_status_on_receipt_and_certificates(self):
        """A product received in quarantine anyway: the lot waits for its certificate too,
        and a certificate already approved does not hold it."""
        self.company.trace_certificate_release = True
        self.flour.trace_receipt_status = "quarantine"
        self._require(self.flour, self.coa, "receipt", "warn")
        self._receive(self.vendor_mill, [(self.flour, "T-FL-Q1", 10)])
        lot = self._lot(self.flour, "T-FL-Q1")
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertTrue(lot.trace_awaiting_certificate)
        self._certificate(lot)
        self.assertEqual(lot.quality_status, "released")

    def test_category_rules_and_most_specific_wins(self):
        parent = self.env["product.category"].create({"name": "Test Raw Materials"})
        child = self.env["product.category"].create({"name": "Test Cereals", "parent_id": parent.id})
        self.flour.categ_id = child
        self.salt.categ_id = parent
        Requirement = self.env["trace.certificate.requirement"].with_user(self.trace_manager)
        Requirement.create({"categ_id": parent.id, "type_id": self.coa.id, "stage": "receipt", "enforcement": "block"})
        receipt = self._receive(
            self.vendor_mill, [(self.flour, "T-FL-K1", 10), (self.salt, "T-SA-K1", 5)], validate=False
        )
        with self.assertRefused(UserError, "(?s)T-FL-K1.*T-SA-K1"):
            self._validate(receipt)
        # The product's own rule (warn) wins over its category's (block).
        self._require(self.flour, self.coa, "receipt", "warn")
        with self.assertRefused(UserError, "T-SA-K1") as caught:
            self._validate(receipt)
        self.assertNotIn("T-FL-K1", str(caught.exception))
        self._certificate(self._lot(self.salt, "T-SA-K1"))
        self._validate(receipt)
        self.assertEqual(receipt.state, "done")
        self.assertIn("T-FL-K1", self._last_note(receipt))
        # A rule of another company does not apply here.
        other = self.env["res.company"].create({"name": "Other Bakery Co."})
        self.env["trace.certificate.requirement"].create(
            {
                "product_tmpl_id": self.salt.product_tmpl_id.id,
                "type_id": self.coc.id,
                "stage": "receipt",
                "enforcement": "block",
                "company_id": other.id,
            }
        )
        receipt = self._receive(self.vendor_salt, [(self.salt, "T-SA-K2", 5)], validate=False)
        with self.assertRefused(UserError, r"T-SA-K2: Test Certificate of Analysis \("):
            self._validate(receipt)

    def test_duplicate_or_targetless_requirement(self):
        self._require(self.flour, self.coa, "receipt", "block")
        with self.assertRefused(ValidationError, "already required"):
            self._require(self.flour, self.coa, "receipt", "warn")
        with self.assertRefused(ValidationError, "on a product or on a product category"):
            self.env["trace.certificate.requirement"].create(
                {"type_id": self.coa.id, "stage": "receipt", "enforcement": "block"}
            )

    def test_requirement_takes_the_company_of_its_product(self):
        """A requirement on a product of one company is of that company (created as over
        RPC, without ``company_id``); on a product of every company it stays empty."""
        self.flour.company_id = self.company
        requirement = self._require(self.flour, self.coa, "receipt", "block")
        self.assertEqual(requirement.company_id, self.company)
        self.assertFalse(self._require(self.salt, self.coa, "receipt", "block").company_id)

    # ------------------------------------------------------------------
    # deliveries
    # ------------------------------------------------------------------
    def test_delivery_block(self):
        self._receive(self.vendor_mill, [(self.bread, "T-BR-D1", 50)])
        lot = self._lot(self.bread, "T-BR-D1")
        self._require(self.bread, self.coa, "shipment", "block")
        delivery = self._deliver(self.customer_shop, [(self.bread, "T-BR-D1", 20)], validate=False)
        with self.assertRefused(
            UserError, r"Test Loaf, lot T-BR-D1: Test Certificate of Analysis \(required before shipment\)"
        ):
            self._validate(delivery)
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(lot.product_qty, 50)
        # A certificate valid when approved but now past its expiry date does not count.
        with freeze_time(self._days(-20)):
            self._certificate(lot, number="OLD", issue_date=self._days(-20), expiry_date=self._days(-1))
        with self.assertRefused(UserError, "T-BR-D1"):
            self._validate(delivery)
        self._certificate(lot, number="NEW")
        self._validate(delivery)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(lot.product_qty, 30)

    def test_delivery_warn(self):
        self._receive(self.vendor_mill, [(self.bread, "T-BR-W1", 50)])
        self._require(self.bread, self.coa, "shipment", "warn")
        delivery = self._deliver(self.customer_shop, [(self.bread, "T-BR-W1", 20)], validate=False)
        self._validate(delivery)
        self.assertEqual(delivery.state, "done")
        note = self._last_note(delivery)
        self.assertIn("T-BR-W1", note)
        self.assertIn("Test Certificate of Analysis", note)
        self.assertIn("required before shipment", note)
        lot = self._lot(self.bread, "T-BR-W1")
        self.assertEqual(lot.quality_status, "released", "a delivery quarantines nothing")
        # A rule at receipt does not apply to deliveries.
        self._require(self.bread, self.coc, "receipt", "block")
        second = self._deliver(self.customer_shop, [(self.bread, "T-BR-W1", 5)], validate=False)
        self._validate(second)
        self.assertEqual(second.state, "done")
        self.assertNotIn("Test Certificate of Conformity", self._last_note(second))

    def test_certificate_smart_button_of_a_transfer(self):
        receipt = self._receive(self.vendor_mill, [(self.flour, "T-FL-S1", 10), (self.salt, "T-SA-S1", 5)])
        certificate = self._certificate(self._lot(self.flour, "T-FL-S1"))
        self.assertEqual(receipt.with_user(self.trace_user).trace_certificate_count, 1)
        self.assertNotIn("trace_certificate_count", receipt.with_user(self.stock_user).fields_get())
        action = receipt.with_user(self.trace_user).action_open_trace_certificates()
        self.assertEqual(self.env["trace.certificate"].search(action["domain"]), certificate)
        self.assertEqual(action["context"]["default_partner_id"], self.vendor_mill.id)
        self.assertEqual(len(action["context"]["default_lot_ids"]), 2)
