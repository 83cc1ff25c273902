from . import test_security
from . import test_flow
from . import test_genealogy
from . import test_trace_api
from . import test_quality_status
from . import test_certificate
from . import test_certificate_enforcement
from . import test_certificate_report
