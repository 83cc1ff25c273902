import hashlib

from odoo import api, fields, models
from odoo.exceptions import UserError

# Context key under which the SHA-256 of a certificate file may be written.
HASH_WRITE = "trace_attachment_hash_write"
CONTENT_FIELDS = frozenset({"raw", "datas", "db_datas", "store_fname"})


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    trace_sha256 = fields.Char(
        "SHA-256",
        readonly=True,
        copy=False,
        help="SHA-256 of the file content, recorded when the file was attached to a certificate.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(HASH_WRITE):
            vals_list = [{key: value for key, value in vals.items() if key != "trace_sha256"} for vals in vals_list]
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.context.get(HASH_WRITE):
            vals = {key: value for key, value in vals.items() if key != "trace_sha256"}
        certificate_files = self.filtered("trace_sha256") if CONTENT_FIELDS & set(vals) else self.browse()
        if certificate_files:
            certificate_files._trace_check_content_editable()
        res = super().write(vals)
        if certificate_files:
            # A draft certificate's file replaced through the ORM: its new content is the reference.
            for attachment in certificate_files.sudo():
                attachment._trace_write_hash({"trace_sha256": attachment._trace_compute_sha256()})
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_certificate_evidence(self):
        self.filtered("trace_sha256")._trace_check_content_editable()

    def _trace_compute_sha256(self):
        self.ensure_one()
        return hashlib.sha256(self.raw or b"").hexdigest()

    def _trace_write_hash(self, vals):
        """Write the SHA-256 (and the record it is attached to) as a system action."""
        self.sudo().with_context(**{HASH_WRITE: True}).write(vals)

    def _trace_check_content_editable(self):
        """The files of a certificate that is no longer a draft, and the documents captured
        over EPCIS, are evidence: their content cannot be replaced and they cannot be deleted."""
        captured = self.sudo().filtered(lambda attachment: attachment.res_model == "trace.epcis.capture")
        if captured:
            raise UserError(
                self.env._(
                    "%(files)s cannot be changed or deleted: EPCIS documents are kept as they were received.",
                    files=", ".join(captured.mapped("name")),
                )
            )
        certificates = (
            self.env["trace.certificate"].sudo().search([("attachment_ids", "in", self.ids), ("state", "!=", "draft")])
        )
        if certificates:
            raise UserError(
                self.env._(
                    "The files of %(certificates)s cannot be changed or deleted: the certificate is not a draft.",
                    certificates=", ".join(certificates.mapped("display_name")),
                )
            )
