from . import test_sale_flow
from . import test_recall
from . import test_recall_export
from . import test_recall_tour
from . import test_standards_export
from . import test_recall_response
from . import test_recall_response_page
from . import test_recall_inspection
