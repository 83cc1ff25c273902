"""The names of the Traceability groups that Python code refers to, in one place that the
models of every add-on can import (without importing one another)."""

#: The groups that read traceability records: fields of Odoo's own models that show them (or
#: compute a trace) are theirs only, so that nobody else meets them in a form or over RPC.
TRACE_READERS = "trace_compliance.group_trace_user,trace_compliance.group_trace_auditor"
