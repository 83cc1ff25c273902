"""Clients of Odoo's external API, with nothing but the standard library.

- :class:`XmlRpc`: ``/xmlrpc/2/common`` and ``/xmlrpc/2/object`` (``xmlrpc.client``).
- :class:`JsonRpc`: ``/jsonrpc``, service ``object``, method ``execute_kw``.
- :class:`WebSession`: a web-client session (``/web/session/authenticate``, then
  ``/web/dataset/call_kw`` and downloads from ``/web/content``) with its cookie.
- :class:`Json2`: Odoo 19.0's JSON-2 API (``POST /json/2/<model>/<method>``) with an API
  key: what integrations use on 19.0, where XML-RPC and JSON-RPC are deprecated (gone in 20.0).

All four are called the same way: ``client(model, method, *args, **kwargs)``.
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


class Json2Error(RpcError):
    """An error answered by JSON-2: :class:`RpcError`'s ``name``, ``message`` and ``debug``,
    with the HTTP ``status`` and the exception's ``arguments``. Odoo answers 422 for a
    ``UserError`` or ``ValidationError``, 403 for an ``AccessError``, 404 for a
    ``MissingError`` or an unknown model or method, 409 for a ``LockError``, 401 without a
    valid API key (``werkzeug.exceptions.Unauthorized``), 500 for any other exception."""

    def __init__(self, status, name, message, debug="", arguments=()):
        super().__init__(name, message, debug)
        self.status, self.arguments = status, list(arguments or ())
        self.args = (f"HTTP {status} {name}: {message}",)


class Json2:
    """Odoo 19.0's JSON-2 API: ``POST /json/2/<model>/<method>`` with an API key.

    ``Json2(url, db, api_key)`` makes no request; every call is one stateless HTTP request
    (``Authorization: bearer <api_key>``, the database in ``X-Odoo-Database``) as the key's
    user, with that user's access rights and record rules. An API key is made in
    *Preferences > Security > Add API Key* (``res.users.apikeys``, no scope: JSON-2
    checks keys for the ``rpc`` scope, which a key without scope covers); it stands for the
    user's password: keep it secret. 18.0 has no JSON-2 (404): use :class:`XmlRpc` or
    :class:`JsonRpc` there.

    Called like the other clients, ``client(model, method, *args, **kwargs)``, but JSON-2
    takes named arguments only (the JSON body), the records' ids as ``ids``, so the
    positional arguments are named here:

    - Odoo's ORM methods by their parameters (:attr:`ARGUMENTS`): ``create(vals_list)``,
      ``write(ids, vals)``, ``read(ids, fields)``, ``unlink(ids)``, ``search(domain,
      offset, limit, order)``, ``search_read(domain, fields, offset, limit, order)``,
      ``search_count(domain, limit)``... ``create`` of one dict returns its id, as over
      XML-RPC (JSON-2 itself answers a list of ids);
    - any other method: the first positional argument is ``ids`` (a record method, e.g.
      ``client("stock.lot", "trace_forward", [lot_id], max_depth=1)``); the others must be
      keywords (``client("stock.lot", "warranty_lookup", serial_name="PM5-25-0003")`` for a
      model method), else :class:`TypeError`, before any request.

    ``context`` is a keyword like the others (``context={"lang": "fr_FR"}``). A method's
    records come back as their ids. An error answer raises :class:`Json2Error` (an
    :class:`RpcError`) with the HTTP ``status``, the exception's ``name``
    (``"odoo.exceptions.UserError"``), ``message``, ``arguments`` and ``debug`` (the
    server's traceback); nothing the call did is kept (one transaction per request).
    """

    # The parameters of the ORM methods integrations call, in order, as JSON-2 names them
    # (odoo/orm/models.py of 19.0); "ids" are the records a method is called on.
    ARGUMENTS = {
        "create": ("vals_list",),
        "write": ("ids", "vals"),
        "read": ("ids", "fields", "load"),
        "unlink": ("ids",),
        "copy": ("ids", "default"),
        "search": ("domain", "offset", "limit", "order"),
        "search_read": ("domain", "fields", "offset", "limit", "order"),
        "search_count": ("domain", "limit"),
        "name_search": ("name", "domain", "operator", "limit"),
        "fields_get": ("allfields", "attributes"),
        "default_get": ("fields",),
    }

    def __init__(self, url, db, api_key, timeout=300):
        self.url, self.db, self.api_key, self.timeout = url, db, api_key, timeout

    def named(self, model, method, args, kwargs):
        """The JSON body of ``model.method(*args, **kwargs)``: the positional ``args`` named
        (see the class), ``kwargs`` as they are; :class:`TypeError` when they do not fit."""
        names = self.ARGUMENTS.get(method, ("ids",))
        if len(args) > len(names):
            if method in self.ARGUMENTS:
                expected = f"at most {len(names)} positional arguments ({', '.join(names)})"
            else:
                expected = "one positional argument, the ids of its records: give the others as keywords"
            raise TypeError(f"JSON-2 takes named arguments: {model}.{method} takes {expected}, not {len(args)}")
        params = dict(zip(names, args, strict=False))
        both = sorted(set(params) & set(kwargs))
        if both:
            raise TypeError(f"{model}.{method} got several values for {', '.join(both)}")
        return {**params, **kwargs}

    def __call__(self, model, method, *args, **kwargs):
        params = self.named(model, method, args, kwargs)
        one = method == "create" and isinstance(params.get("vals_list"), dict)
        if one:
            params["vals_list"] = [params["vals_list"]]
        result = self.post(f"/json/2/{model}/{method}", params)
        return result[0] if one else result

    def post(self, path, params):
        """POST ``params`` as JSON to ``path``: the answer, or :class:`Json2Error`."""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"bearer {self.api_key}",
            "X-Odoo-Database": self.db,
        }
        request = urllib.request.Request(f"{self.url}{path}", json.dumps(params).encode(), headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                content_type, body = response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            raise self.error(error.code, error.headers.get("Content-Type", ""), error.read()) from None
        if "json" not in content_type:
            raise AssertionError(f"{path} answered {content_type}, not JSON: {body[:300]!r}")
        return json.loads(body)

    @staticmethod
    def error(status, content_type, body):
        """The :class:`Json2Error` of an error answer (a proxy's page that is not Odoo's
        JSON is kept as the message)."""
        if "json" in content_type:
            try:
                answer = json.loads(body)
            except ValueError:
                answer = None
            if isinstance(answer, dict) and "name" in answer:
                return Json2Error(
                    status,
                    answer["name"],
                    answer.get("message", ""),
                    answer.get("debug", ""),
                    answer.get("arguments", ()),
                )
        return Json2Error(status, f"HTTP {status}", body[:1000].decode("utf-8", "replace"))
