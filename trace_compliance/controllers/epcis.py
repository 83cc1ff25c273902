"""GS1 EPCIS 2.0 capture interface (the REST binding's ``/capture`` and
``/capture/{captureID}``), under ``/epcis``.

Authentication is an Odoo API key of the sender's user as ``Authorization: Bearer <key>``
and nothing else: a session cookie never authenticates these routes (``auth='none'``, the
key checked here as ``ir.http._auth_method_bearer`` checks it). The right to capture is the
group *EPCIS Capture*; a job is read under the record rules of the key's user (its sender,
or traceability users). Errors are RFC 7807 ``application/problem+json`` bodies with the
standard's ``epcisException:*`` types, and say nothing of other partners' data.
"""

import json
import logging
import re

from odoo import http
from odoo.http import request

from .. import epcis

_logger = logging.getLogger(__name__)

MEDIA_TYPES = ("application/json", "application/ld+json")
EPCIS_VERSION = "2.0.0"
CBV_VERSION = "2.0.0"
CAPTURE_GROUP = "trace_compliance.group_trace_epcis_capture"
#: Groups that read every capture job of their companies (besides each job's sender).
READER_GROUPS = ("trace_compliance.group_trace_user", "trace_compliance.group_trace_auditor")
PER_PAGE = 30
MAX_PER_PAGE = 100


class EpcisProblem(Exception):
    """An RFC 7807 problem answered as it is: ``status``, ``epcisException:<kind>``."""

    def __init__(self, status, kind, title, detail=None, headers=None, **extra):
        super().__init__(title)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers, self.extra = headers or {}, extra


class EpcisController(http.Controller):
    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _epcis_headers(self):
        return {"GS1-EPCIS-Version": EPCIS_VERSION, "GS1-CBV-Version": CBV_VERSION}

    def _problem_response(self, problem):
        body = {"type": f"epcisException:{problem.kind}", "title": problem.title, "status": problem.status}
        if problem.detail:
            body["detail"] = problem.detail
        body["instance"] = request.httprequest.path
        body.update(problem.extra)
        headers = {**self._epcis_headers(), **problem.headers, "Content-Type": "application/problem+json"}
        return request.make_response(json.dumps(body), headers=list(headers.items()), status=problem.status)

    def _authenticate(self, right=CAPTURE_GROUP):
        """The user of the bearer API key, switched into ``request.env``; a key of a user
        without ``right`` (a group, or any of a tuple of groups) is 403, no key or an unknown
        one 401. The session, if any, is ignored and never saved."""
        request.session.can_save = False
        header = request.httprequest.headers.get("Authorization") or ""
        match = re.match(r"^bearer\s+(\S+)\s*$", header, re.IGNORECASE)
        uid = match and request.env["res.users.apikeys"]._check_credentials(scope="rpc", key=match.group(1))
        if not uid:
            raise EpcisProblem(
                401,
                "SecurityException",
                "Unauthorised request",
                "An API key is required as 'Authorization: Bearer <key>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        request.update_env(user=uid)
        user = request.env.user
        rights = (right,) if isinstance(right, str) else right
        if not any(user.has_group(group) for group in rights):
            raise EpcisProblem(403, "SecurityException", "Access to resource forbidden")
        return user

    def _read_body(self, limit):
        """The request body, at most ``limit`` bytes: the declared ``Content-Length`` is
        required (411 without one) and checked first (413 beyond ``limit``); the body is then
        read as a stream bounded by that length, never unbounded."""
        length = request.httprequest.content_length
        if length is None:
            raise EpcisProblem(
                411, "ValidationException", "Length Required", "Send the document with a Content-Length."
            )
        if length > limit:
            raise EpcisProblem(
                413,
                "CaptureLimitExceededException",
                "Capture Payload too large",
                f"The document exceeds {limit} bytes.",
                headers={"GS1-EPCIS-Capture-File-Size-Limit": str(limit)},
            )
        return request.httprequest.get_data(cache=False)

    def _serve(self, handler, *args):
        try:
            return handler(*args)
        except EpcisProblem as problem:
            request.env.cr.rollback()
            return self._problem_response(problem)
        except Exception:
            request.env.cr.rollback()
            _logger.exception("EPCIS capture: internal error")
            return self._problem_response(
                EpcisProblem(500, "ImplementationException", "Internal error", "The error was logged.")
            )

    # ------------------------------------------------------------------
    # /epcis/capture
    # ------------------------------------------------------------------
    @http.route(
        "/epcis/capture",
        type="http",
        auth="none",
        methods=["POST", "GET", "OPTIONS"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def epcis_capture(self, **kwargs):
        method = request.httprequest.method
        if method == "POST":
            return self._serve(self._capture)
        if method == "OPTIONS":
            return self._serve(self._capture_options)
        return self._serve(self._capture_list, kwargs)

    def _capture_options(self):
        self._authenticate()
        Capture = request.env["trace.epcis.capture"]
        headers = {
            **self._epcis_headers(),
            "Allow": "OPTIONS, POST, GET",
            "GS1-EPCIS-Min": EPCIS_VERSION,
            "GS1-EPCIS-Max": EPCIS_VERSION,
            "GS1-CBV-Min": CBV_VERSION,
            "GS1-CBV-Max": CBV_VERSION,
            "GS1-EPCIS-Capture-Limit": str(Capture._get_capture_limit()),
            "GS1-EPCIS-Capture-File-Size-Limit": str(Capture._get_max_bytes()),
            "GS1-Capture-Error-Behaviour": "rollback",
        }
        return request.make_response("", headers=list(headers.items()), status=204)

    def _capture(self):
        user = self._authenticate()
        Capture = request.env["trace.epcis.capture"]
        content_type = request.httprequest.mimetype
        if content_type not in MEDIA_TYPES:
            raise EpcisProblem(
                415,
                "UnsupportedMediaTypeException",
                "Unsupported Media Type",
                "Send application/json or application/ld+json.",
            )
        behaviour = request.httprequest.headers.get("GS1-Capture-Error-Behaviour", "rollback")
        if behaviour != "rollback":
            raise EpcisProblem(
                400,
                "ValidationException",
                "Capture error behaviour not supported",
                "This server captures a document whole or refuses it whole: GS1-Capture-Error-Behaviour: rollback.",
            )
        body = self._read_body(Capture._get_max_bytes())
        try:
            document = json.loads(body)
        except ValueError:
            raise EpcisProblem(400, "ValidationException", "Not a JSON document") from None
        limit = Capture._get_capture_limit()
        if isinstance(document, dict) and isinstance(document.get("epcisBody"), dict):
            if len(epcis.events(document)) > limit:
                raise EpcisProblem(
                    413,
                    "CaptureLimitExceededException",
                    "Capture Payload too large",
                    f"The document has more than {limit} events.",
                    headers={"GS1-EPCIS-Capture-Limit": str(limit)},
                )
        partner = user.partner_id.commercial_partner_id
        errors = Capture._check_document(document, partner, user.company_id)
        if errors:
            raise EpcisProblem(
                400,
                "ValidationException",
                "Invalid EPCIS document",
                errors[0][1],
                errors=[{"pointer": pointer or "/", "detail": message} for pointer, message in errors],
            )
        job = Capture._capture(user, document, body, content_type, request.httprequest.headers)
        headers = {**self._epcis_headers(), "Location": f"/epcis/capture/{job.id}"}
        return request.make_response("", headers=list(headers.items()), status=202)

    def _capture_list(self, kwargs):
        self._authenticate((CAPTURE_GROUP, *READER_GROUPS))
        try:
            per_page = min(max(int(kwargs.get("perPage", PER_PAGE)), 1), MAX_PER_PAGE)
            offset = max(int(kwargs.get("nextPageToken", 0)), 0)
        except ValueError:
            raise EpcisProblem(400, "QueryParameterException", "Invalid perPage or nextPageToken") from None
        jobs = request.env["trace.epcis.capture"].search([], limit=per_page + 1, offset=offset, order="id desc")
        headers = self._epcis_headers()
        if len(jobs) > per_page:
            headers["Link"] = f'</epcis/capture?perPage={per_page}&nextPageToken={offset + per_page}>; rel="next"'
        body = [job._capture_job_json() for job in jobs[:per_page]]
        return request.make_json_response(body, headers=list(headers.items()))

    # ------------------------------------------------------------------
    # /epcis/capture/<captureID>
    # ------------------------------------------------------------------
    @http.route(
        "/epcis/capture/<string:capture_id>", type="http", auth="none", methods=["GET"], csrf=False, save_session=False
    )
    def epcis_capture_job(self, capture_id, **kwargs):
        return self._serve(self._capture_job, capture_id)

    def _capture_job(self, capture_id):
        self._authenticate((CAPTURE_GROUP, *READER_GROUPS))
        job = request.env["trace.epcis.capture"]
        if capture_id.isdigit():
            job = job.search([("id", "=", int(capture_id))])
        if not job:
            raise EpcisProblem(404, "NoSuchResourceException", "Resource not found")
        return request.make_json_response(job._capture_job_json(), headers=list(self._epcis_headers().items()))
