"""Clients of Odoo's external API, with nothing but the standard library.

- :class:`XmlRpc`: ``/xmlrpc/2/common`` and ``/xmlrpc/2/object`` (``xmlrpc.client``).
- :class:`JsonRpc`: ``/jsonrpc``, service ``object``, method ``execute_kw``.
- :class:`WebSession`: a web-client session (``/web/session/authenticate``, then
  ``/web/dataset/call_kw`` and downloads from ``/web/content``) with its cookie.

All three are called the same way: ``client(model, method, *args, **kwargs)``.
"""

import http.cookiejar
import itertools
import json
import urllib.error
import urllib.request
import xmlrpc.client

# Odoo's XML-RPC fault codes (odoo/addons/base/controllers/rpc.py).
FAULT_APPLICATION_ERROR = 1  # any other exception: the fault string is a traceback
FAULT_WARNING = 2  # UserError, ValidationError, MissingError
FAULT_ACCESS_DENIED = 3
FAULT_ACCESS_ERROR = 4


class RpcError(Exception):
    """An error answered by JSON-RPC: ``name`` is the exception's class
    (``odoo.exceptions.UserError``), ``message`` its text, ``debug`` the traceback."""

    def __init__(self, name, message, debug=""):
        super().__init__(f"{name}: {message}")
        self.name, self.message, self.debug = name, message, debug


class Series(int):
    """The Odoo series a client talks to (18 or 19), and what an integration writes
    differently on each: the add-ons' ``trace_compliance/compat.py``, seen from outside."""

    @property
    def groups_field(self):
        """A user's groups: ``groups_id`` on 18.0, ``group_ids`` on 19.0."""
        return "groups_id" if self == 18 else "group_ids"

    @property
    def producing_lot_field(self):
        """The lot an order produces: ``lot_producing_id`` on 18.0, ``lot_producing_ids`` on 19.0."""
        return "lot_producing_id" if self == 18 else "lot_producing_ids"

    def producing_lot_vals(self, lot_id):
        """The values that make a manufacturing order produce the lot ``lot_id``."""
        return {self.producing_lot_field: lot_id if self == 18 else [[6, 0, [lot_id]]]}


class XmlRpc:
    def __init__(self, url, db, login, password):
        self.url, self.db, self.login, self.password = url, db, login, password
        common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common", allow_none=True)
        self.series = Series(common.version()["server_version_info"][0])
        self.uid = common.authenticate(db, login, password, {})
        if not self.uid:
            raise PermissionError(f"{login!r} cannot log in to {db!r}")
        self.models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def __call__(self, model, method, *args, **kwargs):
        return self.models.execute_kw(self.db, self.uid, self.password, model, method, list(args), kwargs)

    def ref(self, xmlid):
        """The database id of an XML id, as the external API offers it (a search)."""
        module, name = xmlid.split(".")
        rows = self("ir.model.data", "search_read", [["module", "=", module], ["name", "=", name]], ["res_id"])
        if not rows:
            raise KeyError(xmlid)
        return rows[0]["res_id"]


class _JsonPoster:
    _ids = itertools.count(1)

    def __init__(self, url):
        self.url = url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def post_json(self, path, params):
        """POST a JSON-RPC 2.0 request; returns the result or raises :class:`RpcError`."""
        payload = {"jsonrpc": "2.0", "method": "call", "params": params, "id": next(self._ids)}
        request = urllib.request.Request(
            f"{self.url}{path}", json.dumps(payload).encode(), {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=300) as response:
            content_type = response.headers.get("Content-Type", "")
            body = response.read()
        if "json" not in content_type:
            raise AssertionError(f"{path} answered {content_type}, not JSON: {body[:300]!r}")
        answer = json.loads(body)
        if "error" in answer:
            data = answer["error"].get("data") or {}
            raise RpcError(
                data.get("name", "?"), data.get("message", answer["error"].get("message")), data.get("debug")
            )
        return answer["result"]

    def get(self, path):
        """GET ``path``: (HTTP status, headers, body), errors included."""
        try:
            with self.opener.open(f"{self.url}{path}", timeout=300) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()


class JsonRpc(_JsonPoster):
    def __init__(self, url, db, login, password):
        super().__init__(url)
        self.db, self.login, self.password = db, login, password
        self.uid = self.post_json(
            "/jsonrpc", {"service": "common", "method": "authenticate", "args": [db, login, password, {}]}
        )
        if not self.uid:
            raise PermissionError(f"{login!r} cannot log in to {db!r}")

    def __call__(self, model, method, *args, **kwargs):
        return self.post_json(
            "/jsonrpc",
            {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, self.uid, self.password, model, method, list(args), kwargs],
            },
        )


class WebSession(_JsonPoster):
    """A logged-in web-client session: the session cookie downloads files."""

    def __init__(self, url, db, login, password):
        super().__init__(url)
        info = self.post_json("/web/session/authenticate", {"db": db, "login": login, "password": password})
        self.uid = info["uid"]
        if not self.uid:
            raise PermissionError(f"{login!r} cannot log in to {db!r}")

    def __call__(self, model, method, *args, **kwargs):
        return self.post_json(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )
