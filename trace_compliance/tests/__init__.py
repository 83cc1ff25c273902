from . import test_security
from . import test_flow
from . import test_genealogy
from . import test_trace_api
from . import test_quality_status
from . import test_batch_record
from . import test_audit_trail
from . import test_report_pdf
