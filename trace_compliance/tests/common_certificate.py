"""Test base of the certificate flows: types, users and a certificate factory."""

import base64
from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields

from .common import TraceCase


class CertificateCase(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trace_user = cls._user("cert_user", "trace_compliance.group_trace_user")
        cls.trace_manager = cls._user("cert_manager", "trace_compliance.group_trace_manager")
        cls.auditor = cls._user("cert_auditor", "trace_compliance.group_trace_auditor")
        cls.stock_user = cls._user("cert_stock", "stock.group_stock_user")
        Type = cls.env["trace.certificate.type"]
        cls.coa = Type.create(
            {
                "name": "Test Certificate of Analysis",
                "code": "tcoa",
                "validity_days": 180,
                "file_required": False,
                "parameter_ids": [
                    Command.create({"name": "Moisture", "uom": "%", "upper_limit": 14.5}),
                    Command.create({"name": "Protein", "uom": "%", "lower_limit": 11.0}),
                    Command.create({"name": "Ash", "uom": "%", "lower_limit": 0.5, "upper_limit": 0.6}),
                ],
            }
        )
        cls.moisture, cls.protein, cls.ash = cls.coa.parameter_ids
        cls.coc = Type.create({"name": "Test Certificate of Conformity", "code": "TCOC", "file_required": False})
        cls.today = fields.Date.context_today(cls.env["trace.certificate"])

    @classmethod
    def _passing_results(cls):
        return [
            Command.create({"parameter_id": cls.moisture.id, "value": 13.2}),
            Command.create({"parameter_id": cls.protein.id, "value": 11.8}),
            Command.create({"parameter_id": cls.ash.id, "value": 0.55}),
        ]

    @classmethod
    def _certificate(cls, lots, certificate_type=None, number=None, validate=True, user=None, **vals):
        """A certificate for ``lots`` created (and validated) by ``user`` (a Traceability User)."""
        certificate_type = certificate_type or cls.coa
        values = {
            "name": number or f"CERT-{lots[:1].name}-{certificate_type.code}",
            "type_id": certificate_type.id,
            "partner_id": cls.vendor_mill.id,
            "lot_ids": [Command.set(lots.ids)],
            "result_ids": cls._passing_results() if certificate_type == cls.coa else [],
        }
        values.update(vals)
        certificate = cls.env["trace.certificate"].with_user(user or cls.trace_user).create(values)
        if validate:
            certificate.action_validate()
        return certificate.with_env(cls.env)

    @classmethod
    def _file(cls, content=b"%PDF-1.4 test certificate", name="certificate.pdf"):
        return Command.create({"name": name, "datas": base64.b64encode(content), "mimetype": "application/pdf"})

    @classmethod
    def _require(cls, product, certificate_type, stage, enforcement, **vals):
        values = {
            "product_tmpl_id": product.product_tmpl_id.id,
            "type_id": certificate_type.id,
            "stage": stage,
            "enforcement": enforcement,
        }
        values.update(vals)
        return cls.env["trace.certificate.requirement"].with_user(cls.trace_manager).create(values)

    @classmethod
    def _days(cls, days):
        return cls.today + timedelta(days=days)

    @contextmanager
    def assertRefused(self, exception, regex):
        """The block raises ``exception`` with a message matching ``regex``, and what it
        did is rolled back, as when a request fails (unittest's ``assertRaisesRegex``
        does not roll back)."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)
