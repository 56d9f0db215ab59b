"""Enumerations shared by models, admin, API and filters."""

from django.db import models


class Status(models.TextChoices):
    """Curation state. Only published records are visible to anonymous clients."""

    DRAFT = "draft", "Draft"
    REVIEWED = "reviewed", "Reviewed"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OrganizationKind(models.TextChoices):
    INTERGOVERNMENTAL = "intergovernmental", "Intergovernmental organization"
    GOVERNMENT = "government", "Government / head of state office"
    MINISTRY = "ministry", "Ministry"
    AGENCY = "agency", "Agency / service"
    POLICE = "police", "Police force"
    MILITARY_DISTRICT = "military_district", "Military district"
    MILITARY_UNIT = "military_unit", "Military unit / base"
    MEDIA = "media", "Media outlet"
    OTHER = "other", "Other"


class EventKind(models.TextChoices):
    """The typed detail an event carries; one per event subclass."""

    SESSION = "session", "Council session"
    OPERATION = "operation", "Joint operation"
    EXERCISE = "exercise", "Exercise"
    MEETING = "meeting", "Meeting / visit / talks"
    STATEMENT = "statement", "Statement"


class MeetingKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    TALKS = "talks", "Talks"
    VISIT = "visit", "Visit"
    CALL = "call", "Call"


class ExerciseKind(models.TextChoices):
    ANTI_TERROR = "anti_terror", "Anti-terror"
    COMMAND_STAFF = "command_staff", "Command and staff"
    PEACEKEEPING = "peacekeeping", "Peacekeeping"
    BORDER = "border", "Border security"
    COUNTER_NARCOTICS = "counter_narcotics", "Counter-narcotics"
    OTHER = "other", "Other"


class StatementForm(models.TextChoices):
    MESSAGE = "message", "Message"
    ADDRESS = "address", "Address"
    SPEECH = "speech", "Speech"
    REMARKS = "remarks", "Remarks"
    INTERVIEW = "interview", "Interview"
    DECLARATION = "declaration", "Declaration"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    DISCUSSED = "discussed", "Discussed"
    ADOPTED = "adopted", "Adopted"
    REJECTED = "rejected", "Rejected"
    DEFERRED = "deferred", "Deferred"


class Role(models.TextChoices):
    """What a party did in an event."""

    HOST = "host", "Host"
    ORGANIZER = "organizer", "Organizer"
    CHAIR = "chair", "Chair"
    LEAD = "lead", "Lead"
    PARTICIPANT = "participant", "Participant"
    SPEAKER = "speaker", "Speaker"
    DELIVERED_BY = "delivered_by", "Delivered by (read on behalf of the speaker)"
    VISITOR = "visitor", "Visitor"
    VISITED = "visited", "Visited"
    OBSERVER = "observer", "Observer"
    ADDRESSEE = "addressee", "Addressee"
    MENTIONED = "mentioned", "Mentioned"


class Qualifier(models.TextChoices):
    """How exact a figure is, as the source words it."""

    EXACT = "exact", "Exact"
    MORE_THAN = "more_than", "More than"
    AT_LEAST = "at_least", "At least"
    UP_TO = "up_to", "Up to"
    LESS_THAN = "less_than", "Less than"
    ABOUT = "about", "About"
    PROJECTED = "projected", "Projected (could reach)"


class PartnershipKind(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    SECURITY = "security", "Security"
    MILITARY_TECHNICAL = "military_technical", "Military-technical"
    ECONOMIC = "economic", "Economic"
    ASSISTANCE = "assistance", "Assistance"


class PartnershipStage(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    STRENGTHENING = "strengthening", "Strengthening"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class LinkKind(models.TextChoices):
    """How one event relates to another (read: source <kind> target)."""

    REPORTED_AT = "reported_at", "reported at"
    HELD_DURING = "held_during", "held during"
    DELIVERED_AT = "delivered_at", "delivered at"
    DECIDED_BY = "decided_by", "decided by"
    PART_OF = "part_of", "part of a series"
    FOLLOWS = "follows", "follows up on"


class SourceKind(models.TextChoices):
    NEWS_AGENCY = "news_agency", "News agency"
    BROADCASTER = "broadcaster", "Broadcaster"
    JOURNAL = "journal", "Journal / analysis"
    NEWSPAPER = "newspaper", "Newspaper"
    OFFICIAL = "official", "Official publication"
    OTHER = "other", "Other"


class DocumentKind(models.TextChoices):
    REPORT = "report", "News report"
    ARTICLE = "article", "Article / analysis"
    BROADCAST = "broadcast", "Broadcast"
    TRANSCRIPT = "transcript", "Transcript"
    OFFICIAL = "official", "Official document"
