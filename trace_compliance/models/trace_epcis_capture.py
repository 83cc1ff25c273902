import json
import logging

from odoo import api, fields, models, modules
from odoo.exceptions import UserError

from .. import epcis

_logger = logging.getLogger(__name__)

#: Documents with more events than this are captured in the background
#: (system parameter ``trace_compliance.epcis_background_threshold``).
DEFAULT_BACKGROUND_THRESHOLD = 1000
#: The largest document ``POST /epcis/capture`` takes, in bytes
#: (``trace_compliance.epcis_max_bytes``; the ``GS1-EPCIS-Capture-File-Size-Limit``).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: The most events one document may carry (``trace_compliance.epcis_capture_limit``; the
#: ``GS1-EPCIS-Capture-Limit``).
DEFAULT_CAPTURE_LIMIT = 100_000
#: Context key under which the capture job's own methods change it.
SYSTEM_WRITE = "trace_epcis_system_write"


class TraceEpcisCapture(models.Model):
    """One EPCIS capture job (GS1 EPCIS 2.0 REST binding, ``/capture/{captureID}``): a
    document a partner sent to ``POST /epcis/capture``, the events stored from it, its
    progress and its errors.

    Jobs are written by the capture only (``_capture``, ``_process``): nobody changes or
    deletes them through the ORM, and the document (an attachment) stays as it came.
    """

    _name = "trace.epcis.capture"
    _inherit = ["trace.audit.mixin"]
    _description = "EPCIS Capture Job"
    _order = "id desc"

    user_id = fields.Many2one("res.users", "Sent By", required=True, index=True, readonly=True, ondelete="restrict")
    partner_id = fields.Many2one(
        "res.partner",
        "Sender",
        required=True,
        index=True,
        readonly=True,
        ondelete="restrict",
        help="The commercial partner of the user whose API key sent the document.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="restrict")
    received_date = fields.Datetime("Received", required=True, readonly=True)
    finished_date = fields.Datetime("Finished", readonly=True)
    state = fields.Selection(
        [("pending", "Pending"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    attachment_id = fields.Many2one("ir.attachment", "Document", readonly=True, ondelete="restrict")
    content_type = fields.Char(readonly=True)
    byte_size = fields.Integer("Size (bytes)", readonly=True)
    epcis_version = fields.Char("EPCIS Version", readonly=True, help="The GS1-EPCIS-Version header sent.")
    cbv_version = fields.Char("CBV Version", readonly=True, help="The GS1-CBV-Version header sent.")
    error_behaviour = fields.Selection(
        [("rollback", "Rollback")],
        "Capture Error Behaviour",
        required=True,
        default="rollback",
        readonly=True,
        help="GS1-Capture-Error-Behaviour: every event is checked before any is stored, so a "
        "document is captured whole or refused whole.",
    )
    event_count = fields.Integer("Events Received", readonly=True)
    stored_count = fields.Integer("Events Stored", readonly=True)
    duplicate_count = fields.Integer(
        "Duplicates", readonly=True, help="Events whose eventID was already stored (in this document or before)."
    )
    progress = fields.Integer(readonly=True)
    errors = fields.Json(
        "Errors (JSON)", readonly=True, help="RFC 7807 problem details of the errors met while capturing."
    )
    errors_text = fields.Text("Errors", compute="_compute_errors_text")
    event_ids = fields.One2many("trace.epcis.event", "capture_id", "Events", readonly=True)

    @api.depends("errors")
    def _compute_errors_text(self):
        for capture in self:
            capture.errors_text = "\n".join(
                f"{error.get('title', '')}: {error.get('detail', '')}" for error in capture.errors or []
            )

    @api.depends("partner_id")
    def _compute_display_name(self):
        for capture in self:
            capture.display_name = self.env._(
                "EPCIS capture %(id)s (%(partner)s)", id=capture.id, partner=capture.partner_id.name or ""
            )

    # ------------------------------------------------------------------
    # CRUD: written by the capture only, never deleted
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(SYSTEM_WRITE):
            raise UserError(self.env._("EPCIS capture jobs are created by the capture endpoint only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals and not self.env.context.get(SYSTEM_WRITE):
            raise UserError(self.env._("EPCIS capture jobs are evidence: they cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("EPCIS capture jobs are evidence: they cannot be deleted."))

    # ------------------------------------------------------------------
    # settings
    # ------------------------------------------------------------------
    @api.model
    def _get_param(self, key, default):
        return int(self.env["ir.config_parameter"].sudo().get_param(f"trace_compliance.{key}", default))

    @api.model
    def _get_max_bytes(self):
        """The largest document taken, in bytes."""
        return self._get_param("epcis_max_bytes", DEFAULT_MAX_BYTES)

    @api.model
    def _get_capture_limit(self):
        """The most events one document may carry."""
        return self._get_param("epcis_capture_limit", DEFAULT_CAPTURE_LIMIT)

    @api.model
    def _get_background_threshold(self):
        """Documents with more events than this are captured in the background."""
        return self._get_param("epcis_background_threshold", DEFAULT_BACKGROUND_THRESHOLD)

    @api.model
    def _get_batch_size(self):
        """Events stored per statement (and per committed step in the background)."""
        return 1000

    # ------------------------------------------------------------------
    # checks before anything is stored
    # ------------------------------------------------------------------
    @api.model
    def _sender_glns(self, partner):
        """The GLNs the sender may name as its own parties and places: those of its
        commercial partner and of every contact under it."""
        partners = self.env["res.partner"].sudo().with_context(active_test=False)
        return set(partners.search([("id", "child_of", partner.commercial_partner_id.id)]).mapped("trace_gln")) - {
            False
        }

    @api.model
    def _receiver_glns(self, company):
        """The GLNs of the receiver (our companies, their warehouses and locations) that an
        event's ``destinationList`` may name besides the sender's own."""
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        companies = env["res.company"].search([("partner_id", "!=", False)])
        ours = env["res.partner"].search([("id", "child_of", companies.partner_id.ids)])
        glns = set(ours.mapped("trace_gln"))
        glns |= set(env["stock.warehouse"].search([("trace_gln", "!=", False)]).mapped("trace_gln"))
        glns |= set(env["stock.location"].search([("trace_gln", "!=", False)]).mapped("trace_gln"))
        return glns - {False}

    @api.model
    def _check_document(self, document, partner, company, limit=epcis.MAX_ERRORS):
        """What refuses ``document`` sent by ``partner``, as ``(JSON pointer, message)``, at
        most ``limit``: GS1's JSON Schema first; then each event's times, and the parties
        and places it names (by GLN) that are not the sender's (the destinations may also
        be the receiver's). Nothing when it may be captured."""
        errors = epcis.schema_errors(document, limit)
        if errors:
            return errors
        own = self._sender_glns(partner)
        receiver = None
        for index, event in enumerate(epcis.events(document)):
            pointer = f"/epcisBody/eventList/{index}"
            try:
                epcis.event_time(event)
            except (TypeError, ValueError, AttributeError):
                errors.append((f"{pointer}/eventTime", self.env._("eventTime is not a date and time.")))
            for where, identifier in epcis.party_identifiers(event):
                gln = epcis.gln_of(identifier)
                if gln and gln not in own:
                    errors.append(
                        (
                            f"{pointer}/{where}",
                            self.env._("%(id)s is not a party or place of the sender.", id=identifier),
                        )
                    )
            for identifier in epcis.destination_identifiers(event):
                gln = epcis.gln_of(identifier)
                if gln and gln not in own:
                    receiver = self._receiver_glns(company) if receiver is None else receiver
                    if gln not in receiver:
                        errors.append(
                            (
                                f"{pointer}/destinationList",
                                self.env._("%(id)s is neither the sender's nor ours.", id=identifier),
                            )
                        )
            if len(errors) >= limit:
                return errors[:limit]
        return errors

    # ------------------------------------------------------------------
    # capture
    # ------------------------------------------------------------------
    @api.model
    def _prepare_capture_vals(self, user, document, body, content_type, headers):
        """Values of the job of a document ``user`` sent (``headers``: the request's)."""
        return {
            "user_id": user.id,
            "partner_id": user.partner_id.commercial_partner_id.id,
            "company_id": user.company_id.id,
            "received_date": fields.Datetime.now(),
            "state": "pending",
            "content_type": content_type,
            "byte_size": len(body),
            "epcis_version": headers.get("GS1-EPCIS-Version"),
            "cbv_version": headers.get("GS1-CBV-Version"),
            "error_behaviour": "rollback",
            "event_count": len(epcis.events(document)),
            "errors": [],
        }

    @api.model
    def _capture(self, user, document, body, content_type, headers=None):
        """Record the job of a checked ``document`` (``body``: its bytes as received) sent by
        ``user``, and capture it: in this transaction when it is small, else in the
        background (``_cron_process_pending``). Returns the job."""
        system = self.sudo().with_context(**{SYSTEM_WRITE: True})
        job = system.create(self._prepare_capture_vals(user, document, body, content_type, headers or {}))
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"epcis-capture-{job.id}.jsonld",
                    "res_model": self._name,
                    "res_id": job.id,
                    "raw": body,
                    "mimetype": content_type,
                    "company_id": job.company_id.id,
                }
            )
        )
        attachment._trace_write_hash({"trace_sha256": attachment._trace_compute_sha256()})
        job.write({"attachment_id": attachment.id})
        if job.event_count > self._get_background_threshold():
            self.env.ref("trace_compliance.ir_cron_trace_epcis_capture")._trigger()
            return job
        job._process(document)
        return job

    @api.model
    def _cron_process_pending(self):
        """Capture the queued jobs, committing after each batch of events. A job left
        ``running`` was interrupted (the server stopped mid-way; Odoo runs one instance of a
        scheduled action at a time): it goes on from the last committed batch."""
        commit = not modules.module.current_test  # tests run in one transaction
        for job in self.sudo().search([("state", "in", ("pending", "running"))], order="id"):
            try:
                job._process(commit=commit)
            except Exception:
                if not commit:
                    raise
                self.env.cr.rollback()
                _logger.exception("EPCIS capture %s failed", job.id)
                job.with_context(**{SYSTEM_WRITE: True}).write(
                    {
                        "state": "failed",
                        "finished_date": fields.Datetime.now(),
                        "errors": [
                            {
                                "type": "epcisException:ImplementationException",
                                "title": "Capture failed",
                                "status": 500,
                                "detail": "The capture stopped on an internal error; it was logged.",
                            }
                        ],
                    }
                )
                self.env.cr.commit()  # pylint: disable=invalid-commit

    def _process(self, document=None, commit=False):
        """Store the job's events from where it stopped, batch by batch (set-based, see
        ``trace.epcis.event._store``), then mark it done."""
        self.ensure_one()
        job = self.sudo().with_context(**{SYSTEM_WRITE: True})
        if document is None:
            document = json.loads(job.attachment_id.raw or b"{}")
        events = epcis.events(document)
        done = job.stored_count + job.duplicate_count
        if job.state != "running":
            job.write({"state": "running"})
        batch_size = self._get_batch_size()
        Event = self.env["trace.epcis.event"].sudo()
        while done < len(events):
            batch = events[done : done + batch_size]
            stored = Event._store(job, batch, done)
            done += len(batch)
            job.write(
                {
                    "stored_count": job.stored_count + stored,
                    "duplicate_count": job.duplicate_count + len(batch) - stored,
                    "progress": min(99, done * 100 // max(len(events), 1)),
                }
            )
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
        job.write({"state": "done", "progress": 100, "finished_date": fields.Datetime.now()})
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    # ------------------------------------------------------------------
    # the standard's view of the job
    # ------------------------------------------------------------------
    def _capture_job_json(self):
        """The job as the REST binding's ``CaptureJob`` (plus our counts and progress)."""
        self.ensure_one()
        job = {
            "captureID": str(self.id),
            "createdAt": _iso(self.received_date),
            "running": self.state in ("pending", "running"),
            "success": self.state != "failed",
            "captureErrorBehaviour": self.error_behaviour,
            "errors": self.errors or [],
            "eventCount": self.event_count,
            "storedCount": self.stored_count,
            "duplicateCount": self.duplicate_count,
            "progress": self.progress,
        }
        if self.finished_date:
            job["finishedAt"] = _iso(self.finished_date)
        return job


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
