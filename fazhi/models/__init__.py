"""fazhi's data model. One module per area; importing this package registers every table."""

from fazhi.models import audience as audience  # registers the audience tables
from fazhi.models import bank as bank  # registers the question-bank tables
from fazhi.models import cert as cert  # registers the certificate tables
from fazhi.models import exam as exam  # registers the exam tables
from fazhi.models import mockcourt as mockcourt  # registers the mock-court tables
from fazhi.models import notice as notice  # registers the banner notices
from fazhi.models.base import Base
from fazhi.models.roster import ROLES, Officer, Unit
from fazhi.models.study import StudyActivity, StudyPack, StudySource, StudyYear

__all__ = [
    "ROLES",
    "Base",
    "Officer",
    "StudyActivity",
    "StudyPack",
    "StudySource",
    "StudyYear",
    "Unit",
]
