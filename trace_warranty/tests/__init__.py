from . import test_demo_story
from . import test_field_action
from . import test_portal
from . import test_repair
from . import test_serial_flow
from . import test_service_event
from . import test_warranty_lookup
from . import test_warranty_registry
