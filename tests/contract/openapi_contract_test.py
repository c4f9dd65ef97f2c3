#!/usr/bin/env python3
"""Contract test: real answers of a running server checked against docs/openapi.yaml.

Starts a real `whatsapp-inbox serve` (plus the fake Graph API) with loadtest/faults/harness.py against the
Postgres and Redis named by PG_URL and REDIS_URL (tests/contract/run.sh starts throwaway ones when PG_URL is unset),
drives every route of the document to its success answer and its main errors, and checks each answer:
  - the status code is documented for the path and method (404 for paths the document does not have, 405 with an
    `Allow` that lists exactly the documented methods for methods it does not have);
  - the Content-Type is one of the documented media types of that response, and the body validates against the
    documented schema (JSON Schema 2020-12, $refs resolved inside the document; SSE events by `x-events`);
  - every header the response documents as required is present and matches its schema; X-Request-Id everywhere,
    equal to an error body's request_id;
and then that every operation of the document was exercised, that every route registered in src/api/*.cpp is in
the document and the other way round, and that GET /openapi.yaml serves this very file.

    python3 tests/contract/openapi_contract_test.py [--verbose] [--skip-web] [--keep]

Environment: PG_URL, REDIS_URL (required), INBOX_BUILD_DIR (default build/release). Exit code 1 with the list of
mismatches when anything does not match; one summary line either way.
"""
import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid

import jsonschema
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "loadtest", "faults"))
import harness as h  # noqa: E402  (loadtest/faults/harness.py)
from template_send_checks import check_account_and_typing, check_reactions, check_template_sends  # noqa: E402

SPEC_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
WEB_DIR = os.path.join(ROOT, "web")
WEB_PATHS = ("/", "/app/{file}", "/openapi.yaml")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Generous: CI runs this against the ASan build.
SLOW = 3.0 if h.SANITIZED else 1.0
TIMEOUT = 15.0 * SLOW


# --------------------------------------------------------------------------------------------------------------
# The document


def pointer_escape(token):
    return token.replace("~", "~0").replace("/", "~1")


class Spec:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.raw = f.read()
        self.doc = yaml.safe_load(self.raw)
        self.validators = {}
        self.templates = []  # (template, segments)
        for template in self.doc["paths"]:
            self.templates.append((template, template.split("/")[1:]))

    # OpenAPI Reference Objects (responses, parameters, headers, request bodies): followed here, remembering where
    # the final object lives so its schemas can be validated in place (their own $refs then resolve in the document).
    def deref(self, obj, ptr):
        seen = 0
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"external $ref not supported: {ref}")
            ptr = ref[1:]
            obj = self.lookup(ptr)
            seen += 1
            if seen > 20:
                raise ValueError(f"$ref loop at {ptr}")
        return obj, ptr

    def lookup(self, ptr):
        node = self.doc
        for token in ptr.lstrip("/").split("/"):
            token = token.replace("~1", "/").replace("~0", "~")
            node = node[token]
        return node

    def validator(self, ptr):
        if ptr not in self.validators:
            root = dict(self.doc)
            root["$ref"] = "#" + urllib.parse.quote(ptr, safe="/~")
            self.validators[ptr] = jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())
        return self.validators[ptr]

    def errors(self, ptr, instance):
        found = sorted(self.validator(ptr).iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {best_message(e)}" for e in found[:5]]

    def operations(self):
        for template, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    yield template, method

    def methods(self, template):
        """The methods a path answers: the documented ones, and HEAD wherever GET is (RFC 9110: HEAD is GET without
        the body; the document states it once, under its conventions)."""
        documented = {m for m in METHODS if m in self.doc["paths"][template]}
        return documented | {"head"} if "get" in documented else documented

    def match(self, path):
        """The documented template a concrete (decoded) path falls under, literal segments preferred; or None."""
        segments = [urllib.parse.unquote(s) for s in path.split("?")[0].split("/")[1:]]
        best, best_literals = None, -1
        for template, parts in self.templates:
            if len(parts) != len(segments):
                continue
            literals = 0
            for part, segment in zip(parts, segments):
                if part.startswith("{") and part.endswith("}"):
                    if segment == "":
                        break
                elif part == segment:
                    literals += 1
                else:
                    break
            else:
                if literals > best_literals:
                    best, best_literals = template, literals
        return best

    def documented_as(self, template, method):
        """The method whose operation describes `method` here: itself, or GET for a HEAD the document implies."""
        return "get" if method == "head" and "head" not in self.doc["paths"][template] else method

    def operation(self, template, method):
        return self.doc["paths"][template][self.documented_as(template, method)]

    def security(self, template, method):
        op = self.operation(template, method)
        return op.get("security", self.doc.get("security", []))


def best_message(error):
    # oneOf/anyOf failures say little by themselves: show the closest branch's reason.
    if error.context:
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        return f"{error.message[:200]} [{'/'.join(map(str, deepest.absolute_path))}: {deepest.message[:200]}]"
    return error.message[:300]


# --------------------------------------------------------------------------------------------------------------
# HTTP


class Answer:
    def __init__(self, status, headers, body, method, path):
        self.status, self.headers, self.body, self.method, self.path = status, headers, body, method, path

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        return json.loads(self.body)


def call(port, method, path, body=None, headers=None, timeout=TIMEOUT):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        return Answer(response.status, response.msg, data, method, path)
    finally:
        connection.close()


def raw_call(port, method, path, raw, timeout=TIMEOUT):
    """Sends raw bytes (malformed requests) and parses the one answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        data = response.read()
        return Answer(response.status, response.msg, data, method, path)
    finally:
        sock.close()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims, alg="HS256", secret=h.JWT_SECRET):
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64url(json.dumps(claims).encode())
    if alg == "none":
        return f"{header}.{payload}."
    sig = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64url(sig)}"


def media_path(key, expires, secret=h.MEDIA_SECRET):
    """A signed media URL as the server signs them (HMAC over the decoded key and expiry)."""
    sig = hmac.new(secret.encode(), f"{key}\n{expires}".encode(), hashlib.sha256).hexdigest()
    return f"/media/{urllib.parse.quote(key, safe='')}?expires={expires}&sig={sig}"


# --------------------------------------------------------------------------------------------------------------
# Checking answers against the document

MEDIA_JSON = re.compile(r"^application/([a-z0-9.+-]+\+)?json$")


def media_type_params(value):
    parts = [p.strip() for p in value.split(";")]
    params = {}
    for p in parts[1:]:
        if "=" in p:
            k, v = p.split("=", 1)
            params[k.strip().lower()] = v.strip().strip('"').lower()
    return parts[0].lower(), params


def content_type_matches(documented, actual):
    doc_type, doc_params = media_type_params(documented)
    act_type, act_params = media_type_params(actual)
    if doc_type != "*/*":
        if doc_type.endswith("/*"):
            if not act_type.startswith(doc_type[:-1]):
                return False
        elif doc_type != act_type:
            return False
    return all(act_params.get(k) == v for k, v in doc_params.items())


class Checker:
    def __init__(self, spec, verbose=False):
        self.spec = spec
        self.verbose = verbose
        self.failures = []
        self.answers = 0
        self.covered = {}  # (template, method) -> set of statuses
        self.started = time.time()

    def fail(self, label, answer, text):
        where = f"{answer.method} {answer.path} → {answer.status}" if answer else ""
        self.failures.append(f"[{label}] {where}: {text}")

    def check(self, label, answer, expect=None):
        """Validates one answer; `expect` is the status the scenario meant to produce (a mismatch is a failure too,
        reported apart from the document's verdict)."""
        self.answers += 1
        before = len(self.failures)
        if expect is not None:
            wanted = expect if isinstance(expect, (set, tuple, list)) else {expect}
            if answer.status not in wanted:
                self.fail(label, answer, f"scenario expected {sorted(wanted)}: {answer.body[:300]!r}")
        self.check_request_id(label, answer)
        template = self.spec.match(answer.path)
        method = answer.method.lower()
        if template is None:
            if answer.status != 404:
                self.fail(label, answer, "path matches no documented template, yet the answer is not 404")
            self.check_response(label, answer, {"$ref": "#/components/responses/UnknownRoute"}, "")
        elif method not in self.spec.methods(template):
            if answer.status != 405:
                self.fail(label, answer, f"{answer.method} is not documented for {template}, yet the answer is not 405")
            allow = {m.strip().lower() for m in (answer.header("Allow") or "").split(",") if m.strip()}
            if allow != self.spec.methods(template):
                self.fail(label, answer, f"Allow {answer.header('Allow')!r} differs from the documented methods "
                                         f"{sorted(m.upper() for m in self.spec.methods(template))}")
            self.check_response(label, answer, {"$ref": "#/components/responses/MethodNotAllowed"}, "")
        else:
            self.covered.setdefault((template, method), set()).add(answer.status)
            op_ptr = f"/paths/{pointer_escape(template)}/{self.spec.documented_as(template, method)}"
            responses = self.spec.operation(template, method).get("responses", {})
            key = str(answer.status)
            if key not in responses:
                self.fail(label, answer, f"status {answer.status} is not documented for {method.upper()} {template} "
                                         f"(documented: {', '.join(sorted(responses))}); body {answer.body[:200]!r}")
            else:
                self.check_response(label, answer, responses[key], f"{op_ptr}/responses/{key}")
        if self.verbose:
            ok = "ok " if len(self.failures) == before else "BAD"
            print(f"  {ok} {time.time() - self.started:6.2f}s {label:<44} {answer.method:<6} {answer.path[:60]:<60} "
                  f"{answer.status}")

    def check_request_id(self, label, answer):
        rid = answer.header("X-Request-Id")
        if not rid or not re.fullmatch(r"[A-Za-z0-9._-]{1,128}", rid):
            self.fail(label, answer, f"X-Request-Id missing or malformed: {rid!r}")

    def check_response(self, label, answer, response, ptr):
        response, ptr = self.spec.deref(response, ptr)
        # Headers
        for name, header in (response.get("headers") or {}).items():
            header, header_ptr = self.spec.deref(header, f"{ptr}/headers/{pointer_escape(name)}")
            value = answer.header(name)
            if value is None:
                if header.get("required"):
                    self.fail(label, answer, f"required header {name} is missing")
                continue
            if "schema" in header:
                self.check_header_value(label, answer, name, value, header["schema"], f"{header_ptr}/schema")
        # Body
        content = response.get("content")
        content_type = answer.header("Content-Type")
        head = answer.method == "HEAD"
        if not content:
            if answer.body:
                self.fail(label, answer, f"a body where the document has none: {answer.body[:100]!r}")
            return
        if content_type is None:
            if not head or answer.body:
                self.fail(label, answer, "no Content-Type")
            return
        chosen = next((m for m in content if content_type_matches(m, content_type)), None)
        if chosen is None:
            self.fail(label, answer, f"Content-Type {content_type!r} is not documented ({', '.join(content)})")
            return
        if head:
            if answer.body:
                self.fail(label, answer, "HEAD answer with a body")
            return
        media = content[chosen]
        media_ptr = f"{ptr}/content/{pointer_escape(chosen)}"
        base_type, _ = media_type_params(chosen)
        if "x-events" in media:
            return  # streams are read and checked by check_events
        if MEDIA_JSON.match(base_type) and "schema" in media:
            try:
                body = json.loads(answer.body)
            except ValueError as error:
                self.fail(label, answer, f"body is not JSON ({error}): {answer.body[:200]!r}")
                return
            for problem in self.spec.errors(f"{media_ptr}/schema", body):
                self.fail(label, answer, f"schema {chosen}: {problem}")
            if isinstance(body, dict) and isinstance(body.get("error"), dict):
                if body["error"].get("request_id") != answer.header("X-Request-Id"):
                    self.fail(label, answer, "error.request_id differs from X-Request-Id")
        elif base_type.startswith("text/") and answer.body:
            try:
                answer.body.decode("utf-8")
            except UnicodeDecodeError:
                self.fail(label, answer, f"{chosen} body is not UTF-8")

    def check_header_value(self, label, answer, name, value, schema, schema_ptr):
        resolved = schema
        while isinstance(resolved, dict) and "$ref" in resolved:
            resolved = self.spec.lookup(resolved["$ref"][1:])
        instance = value
        if isinstance(resolved, dict) and resolved.get("type") == "integer":
            if not re.fullmatch(r"-?[0-9]+", value):
                self.fail(label, answer, f"header {name}: {value!r} is not an integer")
                return
            instance = int(value)
        for problem in self.spec.errors(schema_ptr, instance):
            self.fail(label, answer, f"header {name}: {problem}")

    def check_events(self, label, answer, text, expected_names):
        """Validates a captured SSE body against the x-events of the documented 200 answer."""
        template = self.spec.match(answer.path)
        response, ptr = self.spec.deref(self.spec.operation(template, "get")["responses"]["200"],
                                        f"/paths/{pointer_escape(template)}/get/responses/200")
        media = response["content"]["text/event-stream"]
        events_ptr = f"{ptr}/content/{pointer_escape('text/event-stream')}/x-events"
        seen = set()
        text = text.replace("\r\n", "\n")
        if os.environ.get("CONTRACT_DUMP_SSE"):
            print(repr(text))
        # Only whole events: the stream was cut by the client, its last event may be partial.
        blocks = [b.strip("\n") for b in text[:text.rfind("\n\n") + 1].split("\n\n") if b.strip()]
        if not blocks or not blocks[0].startswith("retry: "):
            self.fail(label, answer, f"stream does not start with retry: {text[:80]!r}")
        for block in blocks:
            name, data = None, []
            for line in block.split("\n"):
                if line.startswith(":") or line.startswith("retry: "):
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    name = value
                elif field == "data":
                    data.append(value)
                else:
                    self.fail(label, answer, f"unexpected SSE line {line[:80]!r}")
            if name is None and not data:
                continue
            if name not in media["x-events"]:
                self.fail(label, answer, f"event {name!r} is not documented in x-events")
                continue
            seen.add(name)
            try:
                payload = json.loads("\n".join(data))
            except ValueError:
                self.fail(label, answer, f"event {name}: data is not JSON")
                continue
            for problem in self.spec.errors(f"{events_ptr}/{pointer_escape(name)}/schema", payload):
                self.fail(label, answer, f"event {name}: {problem}")
        for name in expected_names - seen:
            self.fail(label, answer, f"event {name} was not received (got {sorted(seen)})")
        if self.verbose:
            print(f"  ..  {label:<44} events {sorted(seen)}")


# --------------------------------------------------------------------------------------------------------------
# Static cross-checks


def lint_document(spec, checker):
    """The document's own consistency: schemas are valid 2020-12 schemas, every response documents X-Request-Id,
    every operation has an operationId, path parameters are declared."""
    try:  # the OpenAPI 3.1 meta-schema check, where openapi-spec-validator is installed (not on Debian's python)
        from openapi_spec_validator import validate as validate_openapi
    except ImportError:
        validate_openapi = None
    if validate_openapi is not None:
        try:
            validate_openapi(spec.doc)
        except Exception as error:  # noqa: BLE001 — its exception types changed across versions
            checker.failures.append(f"[lint] not a valid OpenAPI 3.1 document: {str(error)[:500]}")
    meta = jsonschema.Draft202012Validator
    for name, schema in spec.doc["components"]["schemas"].items():
        try:
            meta.check_schema(schema)
        except jsonschema.SchemaError as error:
            checker.failures.append(f"[lint] components/schemas/{name}: {error.message}")
    operation_ids = set()
    for template, method in spec.operations():
        op = spec.operation(template, method)
        where = f"{method.upper()} {template}"
        if op.get("operationId") in operation_ids or not op.get("operationId"):
            checker.failures.append(f"[lint] {where}: missing or duplicate operationId")
        operation_ids.add(op.get("operationId"))
        declared = set()
        for p in spec.doc["paths"][template].get("parameters", []) + op.get("parameters", []):
            p, _ = spec.deref(p, "")
            if p["in"] == "path":
                declared.add(p["name"])
        wanted = set(re.findall(r"{([^}]+)}", template))
        if declared != wanted:
            checker.failures.append(f"[lint] {where}: path parameters {sorted(declared)} != {sorted(wanted)}")
        for status, response in op["responses"].items():
            response, _ = spec.deref(response, "")
            if "X-Request-Id" not in (response.get("headers") or {}):
                checker.failures.append(f"[lint] {where} {status}: X-Request-Id not documented")
            for part in spec.doc["paths"][template].get("parameters", []) + op.get("parameters", []):
                spec.deref(part, "")  # every $ref resolves


def routes_in_code():
    """(method, template) of every router.add( in src/api/*.cpp; `verb` loops are expanded."""
    routes = set()
    api_dir = os.path.join(ROOT, "src", "api")
    for name in sorted(os.listdir(api_dir)):
        if not name.endswith(".cpp"):
            continue
        with open(os.path.join(api_dir, name)) as f:
            text = f.read()
        for match in re.finditer(r'router\.add\(\s*([\w:]+)\s*,\s*"([^"]*)"', text):
            verb_expr, template = match.groups()
            if verb_expr.startswith("http::Verb::"):
                verbs = [verb_expr.rsplit("::", 1)[1]]
            else:
                loops = list(re.finditer(r"for\s*\(\s*const\s+auto\s+" + re.escape(verb_expr) + r"\s*:\s*\{([^}]*)\}",
                                         text[:match.start()]))
                if not loops:
                    raise RuntimeError(f"{name}: cannot tell the verb of router.add({verb_expr}, \"{template}\")")
                verbs = re.findall(r"Verb::(\w+)", loops[-1].group(1))
            for verb in verbs:
                routes.add((verb.lower(), template))
    return routes


# --------------------------------------------------------------------------------------------------------------
# The scenario


class Fixture:
    """The data the scenarios use: one seeded account of the caller, a second one of the caller without templates,
    a third one the caller is not a member of."""

    def __init__(self, db):
        self.db = db
        q = db.value
        self.account = db.account_id
        self.waba = q(f"SELECT waba_id FROM accounts WHERE id = '{self.account}'")
        self.conv_in = db.values(
            f"SELECT id FROM conversations WHERE account_id = '{self.account}' AND status = 'open' "
            f"AND last_inbound_at > now() - interval '22 hours' ORDER BY id LIMIT 4")
        self.conv_out = db.values(
            f"SELECT id FROM conversations WHERE account_id = '{self.account}' AND status = 'open' "
            f"AND last_inbound_at < now() - interval '2 days' ORDER BY id LIMIT 2")
        self.text_message = q(f"SELECT id FROM messages WHERE conversation_id = '{self.conv_in[0]}' AND type = 'text' "
                              f"ORDER BY timestamp DESC LIMIT 1")
        self.other_conv_message = q(f"SELECT id FROM messages WHERE conversation_id = '{self.conv_in[1]}' LIMIT 1")
        # A download whose retries are used up (the seed's media are all pending).
        self.failed_media = self.insert(
            f"UPDATE messages SET media_state = 'failed', media_attempts = 5 WHERE id = (SELECT id FROM messages "
            f"WHERE account_id = '{self.account}' AND media_state = 'pending' ORDER BY id DESC LIMIT 1) RETURNING id")
        self.pending_media = q(f"SELECT id FROM messages WHERE account_id = '{self.account}' "
                               f"AND media_state = 'pending' LIMIT 1")
        contacts = db.values(f"SELECT contact_id FROM conversations WHERE account_id = '{self.account}' "
                             f"AND last_inbound_at IS NOT NULL ORDER BY id LIMIT 2")
        self.contact_live, self.contact_stale = contacts
        # A contact that never wrote and has no profile name: only a lookup can tell anything.
        self.contact_unknown = self.insert(
            f"INSERT INTO contacts (account_id, wa_id) VALUES ('{self.account}', '19995550001') RETURNING id")
        # The caller's second account: no templates anywhere, one conversation outside the window.
        self.account2 = self.insert("INSERT INTO accounts (name, phone_number_id, waba_id, access_token) "
                                    "VALUES ('Contract Second', '900000000000002', '900000000000102', 'tok2') "
                                    "RETURNING id")
        db.execute(f"INSERT INTO account_members (user_id, account_id) VALUES ('{h.USER}', '{self.account2}')")
        contact2 = self.insert(f"INSERT INTO contacts (account_id, wa_id, profile_name) "
                               f"VALUES ('{self.account2}', '19995550002', 'Second Customer') RETURNING id")
        self.conv_out2 = self.insert(
            f"INSERT INTO conversations (account_id, contact_id, last_inbound_at, last_message_at) VALUES "
            f"('{self.account2}', '{contact2}', now() - interval '3 days', now() - interval '3 days') RETURNING id")
        # Another account's objects: every route must answer 404 for them.
        self.other_account = self.insert("INSERT INTO accounts (name, phone_number_id, waba_id, access_token) "
                                         "VALUES ('Contract Other', '900000000000003', '900000000000103', 'tok3') "
                                         "RETURNING id")
        self.other_contact = self.insert(f"INSERT INTO contacts (account_id, wa_id, profile_name) "
                                         f"VALUES ('{self.other_account}', '19995550003', 'Not Yours') RETURNING id")
        self.other_conv = self.insert(
            f"INSERT INTO conversations (account_id, contact_id, last_inbound_at) VALUES "
            f"('{self.other_account}', '{self.other_contact}', now() - interval '1 hour') RETURNING id")
        self.other_message = self.insert(
            f"INSERT INTO messages (account_id, conversation_id, wa_message_id, direction, type, body, status, "
            f"timestamp, media_id, media_state) VALUES ('{self.other_account}', '{self.other_conv}', "
            f"'wamid.contract.other', 'inbound', 'image', 'hi', 'received', now(), 'contract-other-media', "
            f"'pending') RETURNING id")

    def insert(self, sql):
        return self.db.value(sql).splitlines()[0]


def run(args):
    spec = Spec(args.spec)
    checker = Checker(spec, verbose=args.verbose)
    lint_document(spec, checker)

    # HEAD goes with GET on both sides: the router answers it through a path's GET route (http/router.cpp), and the
    # document states it once, documenting HEAD itself only where its answers differ.
    def with_implied_head(routes):
        return routes | {("head", template) for method, template in routes if method == "get"}

    code_routes = with_implied_head(routes_in_code())
    doc_routes = with_implied_head({(m, t) for t, m in spec.operations()})
    for method, template in sorted(code_routes - doc_routes):
        checker.failures.append(f"[routes] {method.upper()} {template} is registered in src/api but not documented")
    for method, template in sorted(doc_routes - code_routes):
        checker.failures.append(f"[routes] {method.upper()} {template} is documented but not registered in src/api")

    web_ready = os.path.isfile(os.path.join(WEB_DIR, "index.html"))
    skip_web = args.skip_web
    run_dir = tempfile.mkdtemp(prefix="inbox-contract-")
    started = time.time()
    processes = []
    db = None
    aborted = False
    try:
        db = h.Database("contract")
        fx = Fixture(db)
        graph = h.FakeGraph(run_dir)
        processes.append(graph)
        graph.control("templates", {"waba_id": fx.waba, "templates": [
            {"name": "order_update", "language": "en_US", "status": "APPROVED", "category": "UTILITY",
             "body_text": "Your order {{1}} has shipped"}]})
        env = {"WHATSAPP_CONTACT_LOOKUP_URL": graph.base + "/contacts-lookup", "SEND_RATE_PER_NUMBER": "1000",
               "OPENAPI_FILE": args.spec}
        snapshot = {}
        if web_ready and not skip_web:
            env["WEB_DIR"] = WEB_DIR
            snapshot = web_snapshot()
        server = h.Server(db, run_dir, graph=graph, env=env, name="contract")
        processes.append(server)
        scenario(checker, spec, server, graph, fx, skip_web or not web_ready, snapshot)
        if not web_ready and not skip_web:
            checker.failures.append(f"[web] {WEB_DIR}/index.html does not exist: GET / and /app/{{file}} cannot be "
                                    f"checked (--skip-web to run without them)")
        dead_database_scenario(checker, run_dir, processes)
    except Exception:  # a crash of the server or the set-up: reported, then the summary as always
        aborted = True
        checker.failures.append("[aborted] " + traceback.format_exc().strip().replace("\n", "\n    "))
    finally:
        for process in reversed(processes):
            process.stop()
        for process in processes:
            report = sanitizer_report(process.output())
            if report:
                checker.failures.append(f"[sanitizer] {os.path.basename(process.log_path)}: {report}")
        if db is not None and not args.keep:
            h.sh(f"psql '{db.admin_url}' -qc 'DROP DATABASE IF EXISTS {db.name} WITH (FORCE)'", check=False)
        if args.keep:
            print(f"kept: {run_dir} (logs), database {db.name if db else '-'}")
        else:
            shutil.rmtree(run_dir, ignore_errors=True)

    # Coverage: every documented operation was answered at least once.
    skipped_web = {("/", "get"), ("/", "head"), ("/app/{file}", "get"), ("/app/{file}", "head"),
                   ("/openapi.yaml", "get"), ("/openapi.yaml", "head")} if skip_web else set()
    for template, method in spec.operations() if not aborted else ():
        if (template, method) not in checker.covered and (template, method) not in skipped_web:
            checker.failures.append(f"[coverage] {method.upper()} {template} was never exercised")
    if args.verbose:
        for (template, method), statuses in sorted(checker.covered.items()):
            print(f"  covered {method.upper():<5} {template:<42} {' '.join(map(str, sorted(statuses)))}")

    operations = len(list(spec.operations()))
    elapsed = time.time() - started
    if checker.failures:
        print(f"openapi contract: {len(checker.failures)} mismatch(es):")
        for failure in checker.failures:
            print(f"  - {failure}")
    status = "FAILED" if checker.failures else "ok"
    print(f"openapi contract {status}: {checker.answers} answers checked against {operations} operations "
          f"({len(checker.covered)} exercised, {len(code_routes)} routes in src/api) in {elapsed:.1f}s")
    return 1 if checker.failures else 0


def scenario(c, spec, server, graph, fx, skip_web, snapshot):
    port = server.port
    token = h.token()
    auth = {"Authorization": f"Bearer {token}"}
    jauth = dict(auth, **{"Content-Type": "application/json"})

    def get(label, path, expect, headers=None, **kw):
        answer = call(port, "GET", path, headers=dict(auth, **(headers or {})), **kw)
        c.check(label, answer, expect)
        return answer

    def post(label, path, expect, body=None, headers=None):
        answer = call(port, "POST", path, body=body, headers=dict(auth, **(headers or {})))
        c.check(label, answer, expect)
        return answer

    def send(label, route, conversation, text, expect, key=None, headers=None):
        hdrs = dict(jauth, **(headers or {}))
        if key is not None:
            hdrs["Idempotency-Key"] = key
        answer = call(port, "POST", route, body=json.dumps({"conversation_id": conversation, "text": text}),
                      headers=hdrs)
        c.check(label, answer, expect)
        return answer

    def knobs(patch):
        graph.control("knobs", patch)

    # ---- operations ----
    c.check("health", call(port, "GET", "/health"), 200)
    c.check("ready", call(port, "GET", "/ready"), 200)
    metrics = call(port, "GET", "/metrics")
    c.check("metrics", metrics, 200)
    echo = call(port, "GET", "/health", headers={"X-Request-Id": "contract.echo_1-A"})
    c.check("request id echoed", echo, 200)
    if echo.header("X-Request-Id") != "contract.echo_1-A":
        c.fail("request id echoed", echo, f"X-Request-Id {echo.header('X-Request-Id')!r} is not the caller's")
    generated = call(port, "GET", "/health", headers={"X-Request-Id": "not sane!"})
    c.check("request id generated", generated, 200)
    if generated.header("X-Request-Id") == "not sane!":
        c.fail("request id generated", generated, "an insane X-Request-Id was echoed")

    # ---- transport-level errors ----
    c.check("malformed: CL + TE", raw_call(port, "GET", "/health",
            b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            400)
    c.check("malformed: bad chunk", raw_call(port, "POST", "/webhook/whatsapp",
            b"POST /webhook/whatsapp HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
            400)
    c.check("headers over 8 KiB", call(port, "GET", "/accounts", headers=dict(auth, **{"X-Big": "a" * 9000})), 431)
    c.check("body over 1 MiB (GET route)", call(port, "GET", "/health", body=b"x" * (1024 * 1024 + 1)), 413)

    # ---- webhook ----
    c.check("webhook verify", call(port, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=faults-verify"
                                               "&hub.challenge=1158201444"), 200)
    verified = call(port, "GET",
                    "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=faults-verify&hub.challenge=abc")
    if verified.body != b"abc":
        c.fail("webhook verify", verified, f"body {verified.body!r} is not the challenge")
    c.check("webhook verify wrong token", call(port, "GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=no"
                                                           "&hub.challenge=1"), 403)
    c.check("webhook verify no params", call(port, "GET", "/webhook/whatsapp"), 403)
    text_body = h.delivery("text_message.json", "wamid.contract.text.1", sender="16505550001")
    c.check("webhook delivery", call(port, "POST", "/webhook/whatsapp", body=text_body,
                                     headers=h.signed_headers(text_body)), 200)
    c.check("webhook bad signature", call(port, "POST", "/webhook/whatsapp", body=text_body, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}), 401)
    c.check("webhook no signature", call(port, "POST", "/webhook/whatsapp", body=text_body), 401)
    for label, raw in (("webhook not JSON", "{not json"), ("webhook not an object", "[1, 2]")):
        c.check(label, call(port, "POST", "/webhook/whatsapp", body=raw, headers=h.signed_headers(raw)), 400)
    big = "x" * (4 * 1024 * 1024 + 1)
    c.check("webhook over 4 MiB", call(port, "POST", "/webhook/whatsapp", body=big,
                                       headers={"X-Hub-Signature-256": "sha256=" + "0" * 64}), 413)

    # ---- auth, systematically: every operation that needs a token answers 401 without one ----
    ids = {"account_id": fx.account, "conversation_id": fx.conv_in[0], "message_id": fx.text_message,
           "contact_id": fx.contact_live, "key": "0" * 64, "file": "main.js"}
    for template, method in spec.operations():
        if not spec.security(template, method):
            continue
        path = re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], template)
        c.check(f"no token {template}", call(port, method.upper(), path), 401)
    bad_tokens = {
        "garbage token": "Bearer not.a.jwt",
        "alg none": "Bearer " + jwt({"sub": h.USER, "exp": int(time.time()) + 600}, alg="none"),
        "expired token": "Bearer " + jwt({"sub": h.USER, "exp": int(time.time()) - 600}),
        "wrong secret": "Bearer " + jwt({"sub": h.USER, "exp": int(time.time()) + 600}, secret="x" * 40),
        "basic scheme": "Basic dXNlcjpwYXNz",
    }
    for label, value in bad_tokens.items():
        c.check(label, call(port, "GET", "/accounts", headers={"Authorization": value}), 401)

    # ---- 404 / 405 probes: unknown paths and undocumented methods ----
    for path in ("/nope", "/accounts/x/nope", "/api/accounts", "/webhook", "/media", "/app/", "/app/a/b",
                 "/openapi.json", "/health/x", "/messages", "/conversations", "/contacts/x"):
        c.check(f"unknown path {path}", call(port, "GET", path, headers=auth), 404)
    for template in spec.doc["paths"]:
        if skip_web and template in WEB_PATHS:
            continue
        path = re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], template)
        for method in ("PUT", "DELETE", "PATCH"):
            if method.lower() not in spec.doc["paths"][template]:
                c.check(f"405 {template}", call(port, method, path, headers=auth), 405)
    c.check("405 OPTIONS", call(port, "OPTIONS", "/accounts", headers=auth), 405)
    c.check("HEAD on a GET route", call(port, "HEAD", "/health"), 200)
    c.check("HEAD on an authenticated GET route", call(port, "HEAD", "/accounts", headers=auth), 200)
    c.check("HEAD without a token", call(port, "HEAD", "/accounts"), 401)
    c.check("405 HEAD on a POST route", call(port, "HEAD", "/messages/send", headers=auth), 405)

    # ---- inbox ----
    accounts = get("accounts", "/accounts", 200).json()
    if {a["id"] for a in accounts["data"]} != {fx.account, fx.account2}:
        c.fail("accounts", None, f"accounts {[a['id'] for a in accounts['data']]} are not the caller's two")
    base = f"/accounts/{fx.account}/conversations"
    get("conversations", base, 200)
    get("conversations all, paged", base + "?status=all&limit=5&offset=3", 200)
    get("conversations closed", base + "?status=closed&limit=200", 200)
    for query in ("limit=0", "limit=201", "limit=", "limit=abc", "offset=-1", "offset=100001", "status=bogus",
                  "status=OPEN"):
        get(f"conversations {query}", f"{base}?{query}", 400)
    get("conversations other account", f"/accounts/{fx.other_account}/conversations", 404)
    get("conversations unknown account", f"/accounts/{uuid.uuid4()}/conversations", 404)
    get("conversations non-uuid", "/accounts/not-a-uuid/conversations", 404)
    get("conversations upper-case uuid", f"/accounts/{fx.account.upper()}/conversations?limit=1", 200)

    get("conversation", f"/conversations/{fx.conv_in[0]}", 200)
    get("conversation outside window", f"/conversations/{fx.conv_out[0]}", 200)
    get("conversation other account", f"/conversations/{fx.other_conv}", 404)
    get("conversation unknown", f"/conversations/{uuid.uuid4()}", 404)

    messages_path = f"/conversations/{fx.conv_in[0]}/messages"
    page = get("messages", messages_path + "?limit=3", 200).json()
    if page["pagination"]["has_more"] and page["pagination"]["next_before"]:
        get("messages before id", f"{messages_path}?limit=3&before={page['pagination']['next_before']}", 200)
    get("messages before time", messages_path + "?before=2030-01-01T00:00:00Z", 200)
    get("messages before time with offset", messages_path + "?before=2030-01-01T00:00:00%2B01:00&offset=2", 200)
    get("messages last page", messages_path + "?limit=200", 200)
    get("messages before garbage", messages_path + "?before=yesterday", 400)
    get("messages before other conversation", f"{messages_path}?before={fx.other_conv_message}", 400)
    get("messages limit=300", messages_path + "?limit=300", 400)
    get("messages other account", f"/conversations/{fx.other_conv}/messages", 404)
    get("messages other account, bad limit", f"/conversations/{fx.other_conv}/messages?limit=0", 400)

    post("read", f"/conversations/{fx.conv_in[1]}/read", 200)
    post("read again", f"/conversations/{fx.conv_in[1]}/read", 200, body="ignored",
         headers={"Content-Type": "text/plain"})
    post("read other account", f"/conversations/{fx.other_conv}/read", 404)

    # ---- templates ----
    templates = f"/accounts/{fx.account}/templates"
    get("templates", templates, 200)
    post("templates sync", templates + "/sync", 200)
    get("templates after sync", templates, 200)
    knobs({"families": {"templates": {"failure": {"status": 400, "code": 100, "count": 1}}}})
    post("templates sync refused", templates + "/sync", 502)
    knobs({"families": {"templates": {"failure": {"status": 503, "code": 2, "count": 1}}}})
    post("templates sync unavailable", templates + "/sync", 503)
    knobs({"families": {"templates": {"failure": None}}})
    get("templates other account", f"/accounts/{fx.other_account}/templates", 404)
    post("templates sync other account", f"/accounts/{fx.other_account}/templates/sync", 404)

    # ---- uploads: a raw body with its MIME type ----
    uploads = f"/accounts/{fx.account}/uploads"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    def upload(label, path, expect, body, content_type):
        headers = dict(auth, **({"Content-Type": content_type} if content_type else {}))
        return c.check(label, call(port, "POST", path, body=body, headers=headers), expect)

    upload("upload", uploads + "?filename=photo.png", 201, png, "image/png")
    upload("upload, a document", uploads, 201, b"%PDF-1.7\n" + b"x" * 100, "application/pdf")
    upload("upload, a type WhatsApp refuses", uploads, 415, b"<svg/>", "image/svg+xml")
    upload("upload, no Content-Type", uploads, 415, png, None)
    upload("upload, bytes of another type", uploads, 422, b"%PDF-1.7", "image/png")
    upload("upload, empty", uploads, 422, b"", "application/pdf")
    upload("upload, bad filename", uploads + "?filename=a%2Fb", 422, png, "image/png")
    upload("upload, over the kind's limit", uploads, 413, b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "image/jpeg")
    upload("upload, other account", f"/accounts/{fx.other_account}/uploads", 404, png, "image/png")
    upload("upload, non-uuid account", "/accounts/nope/uploads", 404, png, "image/png")

    # ---- live events, while sends happen ----
    stream = EventStream(port, f"/accounts/{fx.account}/events?access_token={token}")
    c.check("events (access_token query)", stream.answer, 200)
    if stream.answer.status == 200 and not stream.wait_for(": connected", TIMEOUT):
        c.fail("events", stream.answer, f"no ': connected' comment: {stream.text()[:100]!r}")

    # ---- sending ----
    send_route, auto_route = "/messages/send", "/messages/send-with-auto-template"
    key = f"contract-{uuid.uuid4().hex}"
    send("send", send_route, fx.conv_in[0], "Yes, it comes in red!", 201, key=key)
    stream.wait_for("event: message.updated", TIMEOUT)
    send("send repeat", send_route, fx.conv_in[0], "Yes, it comes in red!", 200, key=key)
    send("send key reused", send_route, fx.conv_in[0], "Another text", 409, key=key)
    send("send key too long", send_route, fx.conv_in[0], "hi", 400, key="k" * 129)
    send("send key not printable", send_route, fx.conv_in[0], "hi", 400, key="caf\u00e9".encode().decode("latin-1"))
    send("send empty text", send_route, fx.conv_in[0], "", 422)
    send("send blank text", send_route, fx.conv_in[0], "   \n", 422)
    send("send text too long", send_route, fx.conv_in[0], "x" * 4097, 422)
    send("send conversation not uuid", send_route, "nope", "hi", 422)
    send("send outside window", send_route, fx.conv_out[0], "hi", 422)
    send("send other account", send_route, fx.other_conv, "hi", 404)
    send("send unknown conversation", send_route, str(uuid.uuid4()), "hi", 404)
    c.check("send missing fields", call(port, "POST", send_route, body="{}", headers=jauth), 422)
    c.check("send text/plain", call(port, "POST", send_route, body=json.dumps(
        {"conversation_id": fx.conv_in[0], "text": "hi"}), headers=dict(auth, **{"Content-Type": "text/plain"})), 415)
    c.check("send no content type", call(port, "POST", send_route, body=json.dumps(
        {"conversation_id": fx.conv_in[0], "text": "hi"}), headers=auth), 415)
    c.check("send invalid JSON", call(port, "POST", send_route, body="{", headers=jauth), 400)
    c.check("send JSON array", call(port, "POST", send_route, body="[]", headers=jauth), 400)
    c.check("send over 1 MiB", call(port, "POST", send_route, body=b"{" + b" " * (1024 * 1024) + b"}",
                                    headers=jauth), 413)
    knobs({"families": {"messages": {"failure": {"status": 400, "code": 131047, "count": 1}}}})
    refused_key = f"contract-refused-{uuid.uuid4().hex}"
    send("send refused by Meta", send_route, fx.conv_in[2], "Refused", 502, key=refused_key)
    send("send refused, repeat", send_route, fx.conv_in[2], "Refused", 200, key=refused_key)
    knobs({"families": {"messages": {"failure": {"status": 503, "code": 2, "count": 1}}}})
    outage_key = f"contract-outage-{uuid.uuid4().hex}"
    send("send during outage", send_route, fx.conv_in[2], "Outage", 503, key=outage_key)
    send("send after outage, same key", send_route, fx.conv_in[2], "Outage", 201, key=outage_key)

    send("auto in window", auto_route, fx.conv_in[3], "Hello inside", 201)
    auto_key = f"contract-auto-{uuid.uuid4().hex}"
    send("auto outside window (template)", auto_route, fx.conv_out[1], "Your order has shipped", 201, key=auto_key)
    send("auto repeat", auto_route, fx.conv_out[1], "Your order has shipped", 200, key=auto_key)
    send("auto no approved template", auto_route, fx.conv_out2, "Hello there", 422)
    submitted = get("templates after a submission", f"/accounts/{fx.account2}/templates", 200)
    if submitted.status == 200 and not any(t["status"] == "PENDING" for t in submitted.json()["data"]):
        c.fail("templates after a submission", submitted, "no PENDING template was submitted for review")
    send("auto empty text", auto_route, fx.conv_in[3], "", 422)
    send("auto other account", auto_route, fx.other_conv, "hi", 404)
    send("auto key reused", auto_route, fx.conv_in[3], "Different", 409, key=auto_key)
    send("auto bad key", auto_route, fx.conv_in[3], "hi", 400, key="")
    c.check("auto text/plain", call(port, "POST", auto_route, body="x", headers=dict(
        auth, **{"Content-Type": "text/plain"})), 415)
    c.check("auto invalid JSON", call(port, "POST", auto_route, body="nope", headers=jauth), 400)
    c.check("auto over 1 MiB", call(port, "POST", auto_route, body=b"{" + b" " * (1024 * 1024) + b"}",
                                    headers=jauth), 413)
    knobs({"families": {"messages": {"failure": {"status": 400, "code": 131026, "count": 1}}}})
    send("auto refused by Meta", auto_route, fx.conv_in[3], "Refused", 502)
    knobs({"families": {"messages": {"failure": {"status": 503, "code": 2, "count": 1}}}})
    send("auto during outage", auto_route, fx.conv_in[3], "Outage", 503)
    knobs({"families": {"messages": {"failure": None}}})
    check_template_sends(c, call, port, jauth, fx, knobs)
    check_reactions(c, call, port, jauth, fx, knobs)
    check_account_and_typing(c, call, port, jauth, fx, fx.db)

    # The stream saw the sends: validate what it carried.
    stream.wait_for("event: conversation.updated", TIMEOUT)
    stream.close()
    c.check_events("events", stream.answer, stream.text(), {"message.created", "message.updated",
                                                            "conversation.updated"})
    header_stream = EventStream(port, f"/accounts/{fx.account}/events", headers=auth)
    c.check("events (bearer header)", header_stream.answer, 200)
    header_stream.close()
    get("events other account", f"/accounts/{fx.other_account}/events", 404)
    get("events bad query token", f"/accounts/{fx.account}/events?access_token=nope", 401, headers={
        "Authorization": ""})
    c.check("events no token", call(port, "GET", f"/accounts/{fx.account}/events"), 401)

    # ---- media ----
    get("media pending", f"/messages/media/{fx.pending_media}", 202)
    get("media failed download", f"/messages/media/{fx.failed_media}", 502)
    get("media none", f"/messages/media/{fx.text_message}", 404)
    get("media other account", f"/messages/media/{fx.other_message}", 404)
    get("media unknown", f"/messages/media/{uuid.uuid4()}", 404)
    for query in ("wait=11", "wait=-1", "wait=abc", "wait="):
        get(f"media {query}", f"/messages/media/{fx.pending_media}?{query}", 400)

    image = h.delivery("image_message.json", "wamid.contract.image.1", sender="16505550002",
                       media_id="contract-media-1")
    c.check("webhook image", call(port, "POST", "/webhook/whatsapp", body=image, headers=h.signed_headers(image)), 200)
    knobs({"expired_media": ["contract-expired-1"]})
    expired = h.delivery("image_message.json", "wamid.contract.image.2", sender="16505550002",
                         media_id="contract-expired-1")
    c.check("webhook expired image", call(port, "POST", "/webhook/whatsapp", body=expired,
                                          headers=h.signed_headers(expired)), 200)
    image_id = wait_for_value(fx.db, "SELECT id FROM messages WHERE wa_message_id = 'wamid.contract.image.1'")
    expired_id = wait_for_value(fx.db, "SELECT id FROM messages WHERE wa_message_id = 'wamid.contract.image.2'")
    stored = None
    for _ in range(3):
        stored = get("media stored", f"/messages/media/{image_id}?wait=10", {302, 202} if _ < 2 else 302,
                     timeout=TIMEOUT + 10)
        if stored.status == 302:
            break
    gone = None
    for _ in range(3):
        gone = get("media expired", f"/messages/media/{expired_id}?wait=10", {202, 410} if _ < 2 else 410,
                   timeout=TIMEOUT + 10)
        if gone.status == 410:
            break
    image_conversation = fx.db.value(f"SELECT conversation_id FROM messages WHERE id = {sql(image_id)}")
    get("media message list", f"/conversations/{image_conversation}/messages", 200)

    if stored is not None and stored.status == 302:
        location = stored.header("Location")
        match = re.match(r"^(?:https?://[^/]+)?(/media/([0-9a-f]{64})\?expires=([0-9]+)&sig=([0-9a-f]{64}))$",
                         location or "")
        if not match:
            c.fail("media stored", stored, f"Location {location!r} is not a signed media URL")
        else:
            signed, media_key, expires, sig = match.groups()
            whole = call(port, "GET", signed)
            c.check("signed media", whole, 200)
            etag = whole.header("ETag")
            c.check("signed media HEAD", call(port, "HEAD", signed), 200)
            c.check("signed media range", call(port, "GET", signed, headers={"Range": "bytes=0-99"}), 206)
            c.check("signed media suffix range", call(port, "GET", signed, headers={"Range": "bytes=-10"}), 206)
            c.check("signed media range HEAD", call(port, "HEAD", signed, headers={"Range": "bytes=5-"}), 206)
            c.check("signed media two ranges", call(port, "GET", signed, headers={"Range": "bytes=0-1,5-6"}), 200)
            c.check("signed media 304", call(port, "GET", signed, headers={"If-None-Match": etag or "*"}), 304)
            c.check("signed media 304 HEAD", call(port, "HEAD", signed, headers={"If-None-Match": "*"}), 304)
            size = len(whole.body)
            c.check("signed media 416", call(port, "GET", signed, headers={"Range": f"bytes={size + 10}-"}), 416)
            c.check("signed media 416 HEAD", call(port, "HEAD", signed, headers={"Range": f"bytes={size}-"}), 416)
            c.check("signed media bad sig", call(port, "GET", f"/media/{media_key}?expires={expires}&sig={'0' * 64}"),
                    403)
            c.check("signed media no sig", call(port, "GET", f"/media/{media_key}"), 403)
            c.check("signed media bad sig HEAD", call(port, "HEAD", f"/media/{media_key}?expires={expires}&sig=00"),
                    403)
            c.check("signed media expired", call(port, "GET", media_path(media_key, int(time.time()) - 60)), 403)
            c.check("signed media unknown key", call(port, "GET", media_path("ab" * 32, int(time.time()) + 600)), 404)
            c.check("signed media not a key", call(port, "GET", media_path("../etc", int(time.time()) + 600)), 404)
            if hashlib.sha256(whole.body).hexdigest() != media_key:
                c.fail("signed media", whole, "the bytes' SHA-256 is not the key")
            for suffix, value in (("Content-Length", str(size)),):
                if whole.header(suffix) != value:
                    c.fail("signed media", whole, f"{suffix} {whole.header(suffix)!r} != {value}")

    check_path = f"/messages/check-media/{fx.conv_in[0]}"
    post("check-media", check_path, 202)
    post("check-media again", check_path, 202)
    post("check-media other account", f"/messages/check-media/{fx.other_conv}", 404)

    # ---- contacts ----
    info = f"/contacts/{fx.contact_live}/whatsapp-info"
    get("whatsapp-info live", info, 200)
    knobs({"families": {"contacts": {"failure": {"status": 503, "count": 1}}}})
    get("whatsapp-info stale", f"/contacts/{fx.contact_stale}/whatsapp-info", 200)
    knobs({"families": {"contacts": {"failure": {"status": 503, "count": 1}}}})
    get("whatsapp-info unavailable", f"/contacts/{fx.contact_unknown}/whatsapp-info", 503)
    knobs({"families": {"contacts": {"failure": None}}})
    get("whatsapp-info unknown contact, lookup up", f"/contacts/{fx.contact_unknown}/whatsapp-info", 200)
    get("whatsapp-info other account", f"/contacts/{fx.other_contact}/whatsapp-info", 404)

    # ---- web ----
    if not skip_web:
        check_web(c, port, spec, snapshot)


SANITIZER_REPORT = re.compile(
    r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: |UndefinedBehaviorSanitizer")


def sanitizer_report(log):
    """The first sanitizer report line of a process log (the ASan build), or None."""
    match = SANITIZER_REPORT.search(log)
    if not match:
        return None
    start = log.rfind("\n", 0, match.start()) + 1
    return log[start:log.find("\n", match.end())][:300]


def sql(value):
    return "'" + value.replace("'", "''") + "'"


def wait_for_value(db, query, timeout=TIMEOUT):
    value = ""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = db.value(query)
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"nothing for {query!r} after {timeout}s")


def web_snapshot():
    """web/index.html and the servable files of web/app/ as they are now (the server reads them once, at start)."""
    files = {}
    with open(os.path.join(WEB_DIR, "index.html"), "rb") as f:
        files["index.html"] = f.read()
    app = os.path.join(WEB_DIR, "app")
    for name in sorted(os.listdir(app)) if os.path.isdir(app) else []:
        path = os.path.join(app, name)
        if re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}", name) and os.path.isfile(path):
            with open(path, "rb") as f:
                files[name] = f.read()
    return files


def check_web(c, port, spec, snapshot):
    page = call(port, "GET", "/")
    c.check("web page", page, 200)
    c.check("web page HEAD", call(port, "HEAD", "/"), 200)
    c.check("web page 304", call(port, "GET", "/", headers={"If-None-Match": page.header("ETag") or "*"}), 304)
    c.check("web page 304 HEAD", call(port, "HEAD", "/", headers={"If-None-Match": page.header("ETag") or "*"}), 304)
    if page.status == 200 and page.body != snapshot.get("index.html"):
        c.fail("web page", page, "body differs from web/index.html as it was when the server started")
    assets = sorted(name for name in snapshot if name != "index.html")
    for name in assets:
        asset = call(port, "GET", f"/app/{name}")
        c.check(f"web asset {name}", asset, 200)
        if asset.status == 200 and asset.body != snapshot[name]:
            c.fail(f"web asset {name}", asset, "body differs from the file as it was when the server started")
    if assets:
        first = f"/app/{assets[0]}"
        etag = call(port, "HEAD", first)
        c.check("web asset HEAD", etag, 200)
        c.check("web asset 304", call(port, "GET", first, headers={"If-None-Match": etag.header("ETag") or "*"}), 304)
        c.check("web asset 304 HEAD", call(port, "HEAD", first, headers={"If-None-Match": "*"}), 304)
    c.check("web asset unknown", call(port, "GET", "/app/no-such-file.js"), 404)
    c.check("web asset hidden", call(port, "GET", "/app/.hidden"), 404)
    c.check("web asset traversal", call(port, "GET", "/app/..%2Findex.html"), 404)
    c.check("web asset unknown HEAD", call(port, "HEAD", "/app/nope.css"), 404)

    served = call(port, "GET", "/openapi.yaml")
    c.check("openapi document", served, 200)
    c.check("openapi document HEAD", call(port, "HEAD", "/openapi.yaml"), 200)
    c.check("openapi document 304", call(port, "GET", "/openapi.yaml",
                                         headers={"If-None-Match": served.header("ETag") or "*"}), 304)
    c.check("openapi document 304 HEAD", call(port, "HEAD", "/openapi.yaml", headers={"If-None-Match": "*"}), 304)
    if served.status == 200 and served.body != spec.raw:
        c.fail("openapi document", served, "GET /openapi.yaml differs from the document under test")
    if served.status == 200:
        try:
            yaml.safe_load(served.body)
        except yaml.YAMLError as error:
            c.fail("openapi document", served, f"served document is not YAML: {error}")


def dead_database_scenario(c, run_dir, processes):
    """A server whose Postgres is unreachable: /ready 503, webhook and API routes 503 service_unavailable."""

    class Unreachable:
        url = f"postgresql://postgres@127.0.0.1:{h.free_port()}/nothing"

    server = h.Server(Unreachable, run_dir, env={"DB_ACQUIRE_TIMEOUT_MS": "500"}, name="dead-db")
    processes.append(server)
    port = server.port
    c.check("ready without Postgres", call(port, "GET", "/ready"), 503)
    c.check("health without Postgres", call(port, "GET", "/health"), 200)
    body = h.delivery("text_message.json", "wamid.contract.dead.1")
    c.check("webhook without Postgres", call(port, "POST", "/webhook/whatsapp", body=body,
                                             headers=h.signed_headers(body)), 503)
    auth = {"Authorization": "Bearer " + jwt({"sub": h.USER, "exp": int(time.time()) + 600})}
    c.check("accounts without Postgres", call(port, "GET", "/accounts", headers=auth), 503)
    c.check("conversation without Postgres", call(port, "GET", f"/conversations/{uuid.uuid4()}", headers=auth), 503)


class EventStream:
    """GET of an SSE route whose body is read by a thread until closed."""

    def __init__(self, port, path, headers=None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.connection.request("GET", path, headers=headers or {})
        self.sock = self.connection.sock  # getresponse() hands it to the response (Connection: close)
        self.response = self.connection.getresponse()
        self.chunks = []
        self.lock = threading.Condition()
        self.closed = False
        body = b""
        if self.response.status != 200:
            body = self.response.read()
        self.answer = Answer(self.response.status, self.response.msg, body, "GET", path)
        self.thread = None
        if self.response.status == 200:
            self.thread = threading.Thread(target=self.read, daemon=True)
            self.thread.start()

    def read(self):
        try:
            while not self.closed:
                line = self.response.readline()
                if not line:
                    break
                with self.lock:
                    self.chunks.append(line.decode("utf-8", errors="replace"))
                    self.lock.notify_all()
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def text(self):
        with self.lock:
            return "".join(self.chunks)

    def wait_for(self, fragment, timeout):
        deadline = time.time() + timeout
        with self.lock:
            while fragment not in "".join(self.chunks):
                left = deadline - time.time()
                if left <= 0 or (self.thread is not None and not self.thread.is_alive()):
                    return False
                self.lock.wait(min(left, 0.1))
        return True

    def close(self):
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()
        if self.thread is not None:
            self.thread.join(5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", "-v", action="store_true", help="print every answer and the coverage")
    parser.add_argument("--skip-web", action="store_true",
                        help="do not require GET/HEAD /, /app/{file}, /openapi.yaml (a binary without them)")
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    parser.add_argument("--spec", default=SPEC_PATH, help="the document to check (default docs/openapi.yaml)")
    args = parser.parse_args()
    # libpqxx 6.4 leaks a PGresult on a broken connection (the dead-database server meets many): suppressed by
    # name as in scripts/test.sh, so any leak of our own still shows in the sanitizer check.
    os.environ.setdefault("LSAN_OPTIONS", f"suppressions={ROOT}/tests/lsan_libpqxx.supp")
    for name in ("PG_URL", "REDIS_URL"):
        if not os.environ.get(name):
            sys.exit(f"openapi contract: {name} is not set (tests/contract/run.sh starts Postgres and Redis)")
    if not os.path.exists(h.SERVER_BIN):
        sys.exit(f"openapi contract: no server binary at {h.SERVER_BIN} (INBOX_BUILD_DIR)")
    sys.exit(run(args))


if __name__ == "__main__":
    main()
