"""Realistic demo data: partner agencies with a year of history, this year's returns in progress, and
impact assessments, written through the same service functions the GUI uses (so every answer is audited).

Deterministic for a seed: the same seed gives the same profiles and answers. Plain Python, no Qt.

The text is built from templates per standard, per statement and per sector, filled with the agency's
own roles, bodies, dates and figures, so that a board report made from it reads like one made from
real returns. Nothing here writes to the database directly.

Every agency gets a signing identity protected by :data:`DEMO_PASSPHRASE`; its 2025/26 return is signed,
and so are some complete 2026/27 returns (all of them with ``sign_all``, as ``oscb demo --export`` asks).
"""

from __future__ import annotations

import random
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from oscb_desktop.forms import FormDefinition
from oscb_desktop.services import agencies as agency_service
from oscb_desktop.services import identities, returns, signoff
from oscb_desktop.services.workspace import Workspace, partnership
from oscb_desktop.store import Submission
from oscb_desktop.store.models import dumps

HISTORY_PERIOD = "2025/26"
CURRENT_PERIOD = "2026/27"
SECTION11 = "section11"
IMPACT = "impact"

#: The passphrase of every demo agency's signing key (documented in the README).
DEMO_PASSPHRASE = "oscb-demo-2026"

#: Who signs a return off, by sector: a senior officer, not the safeguarding lead who filled it in.
SIGNATORY_ROLES = {
    "local_authority": "Director of Children's Services",
    "district_council": "Chief Executive",
    "police": "Assistant Chief Constable",
    "probation": "Head of Probation Delivery Unit",
    "health": "Chief Nursing Officer",
    "education": "Headteacher",
    "voluntary": "Chief Executive",
    "military": "Commanding Officer",
}

#: Where the agency's name says more than its sector.
SIGNATORY_BY_NAME = (
    ("Adult Social Care", "Director of Adult Social Care"),
    ("Education", "Director of Education"),
    ("Fire and Rescue", "Chief Fire Officer"),
    ("Youth Justice", "Head of Youth Justice"),
)

#: How far an agency's 2026/27 Section 11 return has got.
COMPLETE, HALF_DONE, BARELY_STARTED = "complete", "half done", "barely started"
#: How far its impact assessment has got (ABSENT: not started at all).
PARTIAL, ABSENT = "partial", "absent"


class DemoError(Exception):
    """The demo data cannot be generated here; the message is for the user."""


@dataclass(frozen=True)
class DemoSummary:
    agencies: int
    returns: int
    #: Count of returns by status label ("Ready to sign", "Draft", ...).
    by_status: dict[str, int] = field(default_factory=dict)
    #: Names of the agencies created, in creation order.
    agency_names: tuple[str, ...] = ()

    def describe(self, folder: str | Path | None = None) -> str:
        where = f" in {folder}" if folder is not None else ""
        parts = [
            f"{n} {label.lower()}{'s' if label == 'Draft' and n != 1 else ''}"
            for label, n in sorted(self.by_status.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        tail = f": {', '.join(parts)}" if parts else ""
        s_ag = "agency" if self.agencies == 1 else "agencies"
        s_ret = "return" if self.returns == 1 else "returns"
        return f"Created {self.agencies} {s_ag} and {self.returns} {s_ret}{where}{tail}."


# =================================================================================================
# Content: people
# =================================================================================================

FIRST_NAMES = (
    "Sarah", "James", "Priya", "Mohammed", "Helen", "David", "Aisha", "Thomas", "Rachel", "Daniel",
    "Fiona", "Gareth", "Nia", "Oliver", "Claire", "Samuel", "Hannah", "Rhys", "Amara", "Joanne",
    "Imran", "Catherine", "Ewan", "Lucy", "Femi", "Bethany", "Andrew", "Kirsty", "Rajesh", "Eleanor",
    "Callum", "Zainab", "Michelle", "Patrick", "Sian", "Grace", "Kwame", "Louise", "Martin", "Yasmin",
    "Alistair", "Deborah", "Chloe", "Simon", "Ngozi", "Megan", "Hugh", "Anita", "Graham", "Rebecca",
    "Tariq", "Morag", "Jonathan", "Emma", "Declan", "Harpreet", "Ruth", "Stuart", "Olivia", "Neil",
)  # fmt: skip
SURNAMES = (
    "Patel", "Thompson", "Hughes", "Okafor", "Campbell", "Evans", "Khan", "Mitchell", "Reid", "Sutherland",
    "Walsh", "Brennan", "Ahmed", "Davies", "Clarke", "Fraser", "Morgan", "Singh", "Harrison", "Bailey",
    "Lloyd", "Chowdhury", "Fletcher", "Murray", "Osei", "Turner", "Price", "Gallagher", "Rahman", "Wood",
    "Jenkins", "Kaur", "Hamilton", "Bennett", "Nowak", "Collins", "Adeyemi", "Marsh", "Douglas", "Ward",
    "Hussain", "Pearce", "Doyle", "Lewis", "Griffiths", "Barker", "Mensah", "Sharma", "Kennedy", "Holloway",
    "Iqbal", "Webster", "MacLeod", "Parry", "Ellis", "Quinn", "Bryant", "Lowe", "Hartley", "Nolan",
)  # fmt: skip

#: What each agency's return covers (its profile and the "services covered" answer).
SERVICES: dict[str, str] = {
    "Oxfordshire County Council – Children's Services": (
        "Children's social care (the MASH, assessment, family solutions, children we care for and care "
        "leavers), the family help hubs, the Local Authority Designated Officer and the independent reviewing "
        "service. Works with children and families; care leavers up to 25."
    ),
    "Oxfordshire County Council – Adult Social Care": (
        "Adult social care assessment and support, the adult safeguarding team (section 42 enquiries), the "
        "transitions team for young people moving to adult services, and commissioned home care and "
        "residential care. Works with adults and carers."
    ),
    "Oxfordshire County Council – Education": (
        "School improvement, admissions, inclusion and SEND casework, the virtual school, children missing "
        "education and elective home education. Works with children, families and schools."
    ),
    "Oxfordshire County Council – Fire and Rescue Service": (
        "Operational crews at 24 stations, the community safety team (safe and well visits, fire setters "
        "intervention) and the joint fire control room. Works with residents of all ages."
    ),
    "Oxfordshire County Council – Public Health": (
        "Commissioning of health visiting and school nursing (0 to 19 service), sexual health, drug and alcohol "
        "treatment and domestic abuse support services, and the public health intelligence team."
    ),
    "Oxford City Council": (
        "Housing needs and homelessness, tenancy management for council homes, community safety, licensing "
        "(including taxi drivers), leisure centres and community centres. Works with children, adults and "
        "families."
    ),
    "Cherwell District Council": (
        "Housing options and homelessness, community safety, licensing, environmental health, leisure and "
        "the Banbury and Bicester community development teams."
    ),
    "South Oxfordshire District Council": (
        "Housing needs, community safety, licensing, environmental health and community grants, delivered "
        "jointly with the Vale of White Horse through a shared staff team."
    ),
    "Vale of White Horse District Council": (
        "Housing needs, community safety, licensing, environmental health and leisure, delivered jointly "
        "with South Oxfordshire through a shared staff team."
    ),
    "West Oxfordshire District Council": (
        "Housing options and homelessness, community safety, licensing, environmental health and the "
        "customer services centre in Witney."
    ),
    "Thames Valley Police": (
        "Oxfordshire local policing area: neighbourhood teams, response, the Child Abuse Investigation Unit, "
        "the Domestic Abuse Investigation Unit, the police team in the MASH and the missing persons unit."
    ),
    "National Probation Service – Thames Valley": (
        "Oxfordshire probation delivery unit: court work, case management of people on probation, approved "
        "premises, victim liaison and the MAPPA unit. Works with adults; contact with children is through "
        "home visits and family work."
    ),
    "Thames Valley Community Rehabilitation Company": (
        "Supervision of people serving community sentences, unpaid work, accredited programmes and "
        "through-the-gate resettlement for people leaving prison."
    ),
    "Youth Justice Service": (
        "Court and out-of-court work with children aged 10 to 17, the exploitation team, reparation, and "
        "the youth justice health and education workers."
    ),
    "Oxfordshire Clinical Commissioning Group": (
        "Commissioning of hospital, community, mental health and primary care services for Oxfordshire, "
        "and the designated professionals for safeguarding children, adults and looked-after children."
    ),
    "Oxford University Hospitals NHS Foundation Trust": (
        "The John Radcliffe, Churchill, Nuffield Orthopaedic Centre and Horton General hospitals, including "
        "the emergency departments, maternity, the children's hospital and the sexual assault referral centre."
    ),
    "Oxford Health NHS Foundation Trust": (
        "Community health services (health visiting, school nursing, district nursing), children's and adult "
        "mental health services including CAMHS, community hospitals and the eating disorders service."
    ),
    "South Central Ambulance Service NHS Foundation Trust": (
        "Emergency ambulance crews, NHS 111 and the clinical coordination centre covering Oxfordshire; "
        "safeguarding referrals are made through the trust's central safeguarding hub."
    ),
    "NHS England – Thames Valley": (
        "Direct commissioning of primary care (GP, dental, pharmacy and optometry), specialised services and "
        "health and justice services for the Thames Valley."
    ),
    "Oxfordshire Primary Care (GP practices)": (
        "The 68 GP practices in Oxfordshire, grouped in primary care networks, and their practice safeguarding "
        "leads. The return is coordinated by the named GP for safeguarding."
    ),
    "Abingdon and Witney College": (
        "Further education for 16 to 18 year olds, apprenticeships, adult learning and higher education on "
        "the Abingdon, Witney and Common Leys campuses, including students with high needs."
    ),
    "Activate Learning": (
        "City of Oxford College, Banbury and Bicester College and the group's apprenticeship and adult "
        "learning provision, with residential accommodation for some students."
    ),
    "Oxfordshire Secondary Schools Association": (
        "Coordinates safeguarding for member secondary schools and academies across the county through the "
        "designated safeguarding leads' network; this return covers the association's own arrangements and "
        "guidance to members."
    ),
    "Oxfordshire Primary Headteachers' Association": (
        "The network of primary school headteachers, with termly DSL briefings; this return covers the "
        "association's support to member schools."
    ),
    "Independent Schools in Oxfordshire": (
        "The group of independent day and boarding schools in the county, working through a shared DSL "
        "forum; boarding provision is included."
    ),
    "University of Oxford": (
        "Student welfare and support services, the safeguarding team, outreach and access programmes with "
        "under-18s, and residential summer schools. Colleges report separately."
    ),
    "Oxford Brookes University": (
        "Student support, wellbeing and the safeguarding team, outreach work with schools, under-18 students "
        "and the university's sports and summer programmes."
    ),
    "Oxfordshire Voluntary Sector Safeguarding Forum": (
        "Safeguarding support to over 200 voluntary and community groups: training, a helpline for small "
        "groups and model policies. The return covers the forum's own staff and volunteers."
    ),
    "Barnardo's Oxfordshire": (
        "Family support services, the young carers service, the child exploitation service and the "
        "leaving care project. Works with children, young people and families."
    ),
    "Action for Children Oxfordshire": (
        "Short breaks for disabled children, the family support service in Banbury and a supported "
        "accommodation project for 16 to 21 year olds."
    ),
    "Oxfordshire Family Support Network": (
        "Peer support, advice and advocacy for families of disabled adults and children, including the "
        "transitions support service."
    ),
    "Home-Start Oxford": (
        "Home-visiting volunteers supporting families with at least one child under five, family groups and "
        "perinatal peer support."
    ),
    "Oxfordshire Youth": (
        "Support to youth clubs across the county, the youth work training programme and the detached youth "
        "work project."
    ),
    "Cafcass": ("Family court advisers for children in public and private law proceedings in the Oxfordshire courts."),
    "HM Prison Bullingdon": (
        "Category B and C prison for adult men: residential wings, healthcare, education, the visits hall and "
        "the family engagement service."
    ),
    "RAF Brize Norton": (
        "Station welfare services, the HIVE information centre, the community development team, and liaison "
        "with service children's schools and the station medical centre."
    ),
    "Army – Dalton Barracks": (
        "Unit welfare office, the Army Welfare Service team and community support for service families living "
        "on and around the barracks."
    ),
    "Oxfordshire Domestic Abuse Service": (
        "Refuge accommodation, community outreach, independent domestic violence advisers and the children "
        "and young people's support workers."
    ),
    "Healthwatch Oxfordshire": (
        "Gathering and reporting the views of people who use health and care services, the signposting "
        "service and enter-and-view visits to care settings."
    ),
    "Oxfordshire Mind": (
        "Wellbeing services, the crisis café, supported housing, counselling and the young people's mental "
        "health service."
    ),
    "Connection Support": (
        "Supported housing and floating support for adults with mental health needs, learning disabilities or "
        "experience of homelessness, and the domestic abuse housing support service."
    ),
    "Oxfordshire Safeguarding Adults Board (member agencies)": (
        "A joint return for the smaller member agencies of the adults board: care providers' forum, "
        "advocacy services and the carers' organisation."
    ),
}

# Per sector, the words an agency of that sector would use. Lists are choices; an agency keeps its pick.
SECTOR_WORDS: dict[str, dict[str, Sequence[str]]] = {
    "local_authority": {
        "senior": ("Corporate Director", "Director of Children's Services"),
        "board": ("Directorate Leadership Team", "Cabinet"),
        "lead_role": ("Head of Safeguarding", "Principal Social Worker", "Service Manager, Safeguarding and Quality"),
        "dsl": ("Head of Safeguarding", "Safeguarding Service Manager"),
        "hr": ("Head of HR", "HR Business Partner"),
        "training": ("Workforce Development Manager", "Learning and Development Lead"),
        "qa": ("Head of Quality Assurance", "Quality and Practice Manager"),
        "comms": ("Head of Communications",),
        "voice": ("Participation Manager",),
        "contracts": ("Head of Commissioning", "Contracts and Quality Manager"),
        "it": ("Information Governance Manager", "Data Protection Officer"),
        "system": ("the social care case management system",),
        "people": ("children and families",),
        "sites": ("offices and family hubs",),
        "plan": ("the directorate business plan", "the Council Plan"),
        "regulator": ("Ofsted and the Care Quality Commission",),
        "inspection": ("Ofsted inspection of local authority children's services",),
        "staff": ("staff",),
    },
    "district_council": {
        "senior": ("Chief Executive", "Strategic Director", "Head of Communities"),
        "board": ("Cabinet", "Corporate Management Team"),
        "lead_role": ("Safeguarding Lead Officer", "Community Safety Manager", "Head of Housing and Communities"),
        "dsl": ("Safeguarding Lead Officer", "Community Safety Manager"),
        "hr": ("HR Manager", "Head of People"),
        "training": ("Learning and Development Officer", "HR Manager"),
        "qa": ("Safeguarding Lead Officer", "Head of Legal and Democratic Services"),
        "comms": ("Communications Manager",),
        "voice": ("Community Engagement Officer",),
        "contracts": ("Procurement Manager", "Head of Leisure and Contracts"),
        "it": ("Data Protection Officer", "Information Governance Officer"),
        "system": ("the housing and community safety case system",),
        "people": ("residents and tenants",),
        "sites": ("council offices and housing sites",),
        "plan": ("the Corporate Plan", "the council's business plan"),
        "regulator": ("the council's external auditor and the Local Government Ombudsman",),
        "inspection": ("internal audit of safeguarding",),
        "staff": ("staff and councillors",),
    },
    "police": {
        "senior": ("Detective Chief Superintendent, Head of Protecting Vulnerable People", "Assistant Chief Constable"),
        "board": ("Force Executive Board", "Vulnerability Strategic Board"),
        "lead_role": ("Detective Chief Inspector, Safeguarding", "Detective Inspector, Public Protection"),
        "dsl": ("Detective Inspector, MASH", "Head of Vulnerability"),
        "hr": ("Head of People", "Vetting Manager"),
        "training": ("Head of Learning and Development", "Public Protection Training Lead"),
        "qa": ("Vulnerability Quality Assurance Lead", "Head of Performance"),
        "comms": ("Head of Corporate Communications",),
        "voice": ("Victims' Voice Lead",),
        "contracts": ("Head of Procurement",),
        "it": ("Information Management Lead", "Data Protection Officer"),
        "system": ("the force's crime and intelligence system",),
        "people": ("victims, witnesses and families",),
        "sites": ("police stations",),
        "plan": ("the force control strategy", "the Police and Crime Plan"),
        "regulator": ("the Independent Office for Police Conduct",),
        "inspection": ("HMICFRS PEEL inspection",),
        "staff": ("officers and staff",),
    },
    "probation": {
        "senior": ("Head of Probation Delivery Unit", "Head of Public Protection"),
        "board": ("Regional Leadership Team", "Senior Leadership Team"),
        "lead_role": ("Safeguarding Lead", "Senior Probation Officer, Safeguarding", "Head of Public Protection"),
        "dsl": ("Safeguarding Lead", "Senior Probation Officer, Safeguarding"),
        "hr": ("HR Business Partner", "Head of People"),
        "training": ("Learning and Development Manager",),
        "qa": ("Quality Development Officer", "Head of Quality"),
        "comms": ("Communications Lead",),
        "voice": ("Lived Experience Coordinator", "Engagement Lead"),
        "contracts": ("Commissioned Rehabilitative Services Manager",),
        "it": ("Information Assurance Lead",),
        "system": ("the case management system",),
        "people": ("people on probation and their families",),
        "sites": ("offices",),
        "plan": ("the regional business plan",),
        "regulator": ("HM Inspectorate of Probation",),
        "inspection": ("HM Inspectorate of Probation inspection",),
        "staff": ("staff",),
    },
    "health": {
        "senior": ("Director of Nursing", "Chief Nursing Officer", "Executive Director of Nursing and Quality"),
        "board": ("Trust Board", "Quality Committee"),
        "lead_role": ("Head of Safeguarding", "Named Nurse for Safeguarding Children", "Lead Nurse, Safeguarding"),
        "dsl": ("Named Nurse for Safeguarding Children", "Head of Safeguarding"),
        "hr": ("Head of HR", "Deputy Director of Workforce"),
        "training": ("Safeguarding Training Lead", "Head of Education and Training"),
        "qa": ("Head of Quality Governance", "Safeguarding Quality Lead"),
        "comms": ("Head of Communications",),
        "voice": ("Head of Patient Experience", "Patient Engagement Lead"),
        "contracts": ("Head of Contracting",),
        "it": ("Caldicott Guardian", "Head of Information Governance"),
        "system": ("the electronic patient record",),
        "people": ("patients and their families",),
        "sites": ("wards and departments",),
        "plan": ("the annual operating plan", "the trust strategy"),
        "regulator": ("the Care Quality Commission",),
        "inspection": ("Care Quality Commission inspection",),
        "staff": ("staff",),
    },
    "education": {
        "senior": ("Principal", "Vice-Principal (Students)"),
        "board": ("Corporation Board", "Board of Governors"),
        "lead_role": ("Designated Safeguarding Lead", "Head of Safeguarding and Student Welfare"),
        "dsl": ("Designated Safeguarding Lead", "Head of Student Welfare"),
        "hr": ("Head of HR", "HR Manager"),
        "training": ("Staff Development Manager",),
        "qa": ("Head of Quality", "Deputy Designated Safeguarding Lead"),
        "comms": ("Head of Marketing and Communications",),
        "voice": ("Student Voice Coordinator",),
        "contracts": ("Subcontracting Manager",),
        "it": ("Data Protection Officer",),
        "system": ("the safeguarding recording system",),
        "people": ("students and their families",),
        "sites": ("campuses",),
        "plan": ("the strategic plan", "the development plan"),
        "regulator": ("Ofsted and the Department for Education",),
        "inspection": ("Ofsted inspection",),
        "staff": ("staff and volunteers",),
    },
    "voluntary": {
        "senior": ("Chief Executive", "Director of Services"),
        "board": ("Board of Trustees",),
        "lead_role": ("Safeguarding Lead", "Head of Services", "Operations Manager"),
        "dsl": ("Safeguarding Lead", "Operations Manager"),
        "hr": ("HR and Volunteer Manager", "Operations Manager"),
        "training": ("Volunteer Coordinator", "Training Coordinator"),
        "qa": ("Quality and Impact Manager", "Safeguarding Lead"),
        "comms": ("Communications Officer",),
        "voice": ("Participation Worker",),
        "contracts": ("Operations Manager",),
        "it": ("Operations Manager", "Data Protection Lead"),
        "system": ("the confidential case recording system",),
        "people": ("children, young people and families",),
        "sites": ("projects",),
        "plan": ("our three-year strategy", "the business plan"),
        "regulator": ("the Charity Commission",),
        "inspection": ("external safeguarding audit",),
        "staff": ("staff and volunteers",),
    },
    "military": {
        "senior": ("Station Commander", "Commanding Officer"),
        "board": ("Station Executive Board", "Unit Executive Committee"),
        "lead_role": ("Unit Welfare Officer", "Community Development Officer", "Station Safeguarding Lead"),
        "dsl": ("Unit Welfare Officer", "Station Safeguarding Lead"),
        "hr": ("Personnel Administration Officer", "Civilian HR Manager"),
        "training": ("Station Training Officer",),
        "qa": ("Station Safeguarding Lead", "Executive Officer"),
        "comms": ("Community Development Officer",),
        "voice": ("Community Development Officer",),
        "contracts": ("Station Contracts Officer",),
        "it": ("Information Manager",),
        "system": ("the welfare case system",),
        "people": ("service families",),
        "sites": ("units",),
        "plan": ("the station business plan", "the unit plan"),
        "regulator": ("the Service Complaints Ombudsman",),
        "inspection": ("Defence safeguarding assurance visit",),
        "staff": ("service personnel, civilian staff and volunteers",),
    },
    "other": {
        "senior": ("Head of Service", "Service Director"),
        "board": ("Management Board", "Senior Leadership Team"),
        "lead_role": ("Safeguarding Lead", "Head of Practice"),
        "dsl": ("Safeguarding Lead", "Head of Practice"),
        "hr": ("HR Manager",),
        "training": ("Learning and Development Lead",),
        "qa": ("Quality Assurance Manager",),
        "comms": ("Communications Lead",),
        "voice": ("Engagement Lead",),
        "contracts": ("Contracts Manager",),
        "it": ("Information Governance Lead",),
        "system": ("the case management system",),
        "people": ("children and families",),
        "sites": ("offices",),
        "plan": ("the business plan",),
        "regulator": ("the relevant inspectorate",),
        "inspection": ("external audit",),
        "staff": ("staff",),
    },
}

#: Words that fit a particular agency better than its sector's (matched on part of the name).
NAME_WORDS: dict[str, dict[str, str]] = {
    "Children's Services": {"senior": "Director of Children's Services", "people": "children and families"},
    "Adult Social Care": {
        "senior": "Director of Adult Social Services",
        "people": "adults and their carers",
        "regulator": "the Care Quality Commission",
        "inspection": "Care Quality Commission assessment of adult social care",
    },
    "– Education": {"senior": "Director of Education", "people": "pupils and families", "sites": "offices"},
    "Fire and Rescue": {
        "senior": "Chief Fire Officer",
        "people": "residents",
        "sites": "fire stations",
        "inspection": "HMICFRS inspection",
        "regulator": "HM Inspectorate of Constabulary and Fire and Rescue Services",
    },
    "Public Health": {"senior": "Director of Public Health", "people": "residents", "sites": "offices"},
    "Youth Justice": {"senior": "Head of Youth Justice", "people": "young people and their families"},
    "HM Prison": {"senior": "Governing Governor", "people": "men in custody and their families", "sites": "wings"},
    "Clinical Commissioning": {"senior": "Director of Quality", "board": "Governing Body", "sites": "offices"},
    "NHS England": {"senior": "Regional Chief Nurse", "board": "Regional Quality Group", "sites": "offices"},
    "Primary Care": {"senior": "Named GP for Safeguarding", "board": "Primary Care Safeguarding Forum",
                     "sites": "practices"},
    "Ambulance": {"sites": "ambulance stations", "people": "patients"},
    "Association": {"senior": "Chair of the Association", "board": "Executive Committee",
                    "people": "pupils and families", "sites": "member schools"},
    "Independent Schools": {"senior": "Chair of the Heads' Group", "board": "Heads' Group",
                            "people": "pupils and families", "sites": "schools"},
    "University of Oxford": {"senior": "Pro-Vice-Chancellor (Education)", "board": "Council", "people": "students"},
    "Brookes University": {"senior": "Pro-Vice-Chancellor (Student Experience)", "board": "Board of Governors",
                           "people": "students"},
    "RAF": {"senior": "Station Commander", "board": "Station Executive Board", "sites": "squadrons"},
    "Army": {"senior": "Commanding Officer", "board": "Unit Executive Committee", "sites": "sub-units"},
    "Barnardo's": {"senior": "Assistant Director", "board": "Regional Leadership Team"},
    "Action for Children": {"senior": "Operations Director", "board": "Regional Leadership Team"},
    "Family Support Network": {"people": "families of disabled children and adults"},
    "Home-Start": {"people": "families with young children"},
    "Oxfordshire Youth": {"people": "young people"},
    "Cafcass": {"senior": "Head of Practice", "people": "children and families", "regulator": "Ofsted"},
    "Domestic Abuse Service": {"people": "women, children and families affected by domestic abuse"},
    "Healthwatch": {"people": "members of the public"},
    "Mind": {"people": "people who use our services"},
    "Connection Support": {"people": "tenants and people we support"},
    "Safeguarding Adults Board": {"people": "adults and their carers"},
    "Voluntary Sector Safeguarding Forum": {"people": "member groups and the people they support"},
}  # fmt: skip

#: How mature an agency's safeguarding arrangements tend to be, by sector (0 to 1).
MATURITY = {
    "local_authority": 0.75,
    "health": 0.8,
    "police": 0.7,
    "probation": 0.62,
    "district_council": 0.55,
    "education": 0.65,
    "voluntary": 0.48,
    "military": 0.55,
    "other": 0.6,
}

STAFF_TRAINED = {
    "local_authority": (900, 3800),
    "district_council": (150, 650),
    "police": (2200, 4600),
    "probation": (180, 700),
    "health": (2500, 12500),
    "education": (250, 2400),
    "voluntary": (25, 220),
    "military": (300, 1600),
    "other": (60, 400),
}

# =================================================================================================
# Content: Section 11 statements
# =================================================================================================
#
# Per statement: two evidence templates, the gap an Amber or Red rating describes, the action that
# follows, and which role leads it. Placeholders: the agency's words (see SECTOR_WORDS) and the
# per-answer figures made by _Figures.


@dataclass(frozen=True)
class Statement:
    evidence: tuple[str, str]
    gap: str
    action: str
    role: str
    #: A statement most agencies find hard (more Amber).
    hard: bool = False


S = Statement
STATEMENTS: dict[str, Statement] = {
    "s1.1": S(
        (
            "Our named senior lead for safeguarding is the {senior}, who presented the annual safeguarding report "
            "to the {board} in {d2}. The minutes record the board's challenge on training compliance and its "
            "agreement to next year's priorities.",
            "The {senior} is the named senior lead. Safeguarding is a standing item at the {board}, which received "
            "a mid-year update in {d1} and the annual report in {d3}.",
        ),
        "The {senior} is the named lead, but no written safeguarding report has gone to the {board} since "
        "{y_prev}; updates have been verbal and are not minuted.",
        "Agree an annual written safeguarding report to the {board}, with a fixed slot in the forward plan.",
        "senior",
    ),
    "s1.2": S(
        (
            "Safeguarding is one of the priorities in {plan} for {period}, with budget lines for the safeguarding "
            "team and training. Progress is reported to the {board} every quarter.",
            "{plan_cap} names safeguarding as a cross-cutting priority. The {d1} budget round protected the "
            "safeguarding posts and added {n} days of specialist training.",
        ),
        "Safeguarding is mentioned in {plan}, but the resources needed to deliver it are not identified and "
        "there is no measure of progress.",
        "Add safeguarding objectives, with named resources and measures, to next year's plan.",
        "senior",
    ),
    "s1.3": S(
        (
            "A quarterly safeguarding dashboard goes to the leadership team, covering referrals, training "
            "compliance, supervision and allegations. In {d2} it showed a fall in referral quality, and leaders "
            "funded refresher sessions as a result.",
            "The {qa} produces a monthly safeguarding report for senior leaders. After the {d1} report showed a "
            "rise in repeat referrals, they commissioned a themed audit of those cases.",
        ),
        "Senior leaders see safeguarding figures only in the annual report; there is no regular performance "
        "information yet, so trends are picked up late.",
        "Introduce a quarterly safeguarding dashboard for the leadership team.",
        "qa",
    ),
    "s1.4": S(
        (
            "The {dsl} represents us at the OSCB and on the {subgroups} subgroups, with a named deputy. We "
            "attended {att} of {att_total} meetings this year, and partnership messages reach frontline staff "
            "through the monthly safeguarding bulletin.",
            "The {senior} attends the partnership's executive group, and the {dsl} attends the {subgroups} "
            "subgroups. "
            "Partnership briefings are cascaded through team meetings within a month.",
        ),
        "Attendance at partnership subgroups has been patchy ({att_low} of {att_total} meetings), mainly "
        "because of vacancies, and messages do not reliably reach frontline teams.",
        "Name a deputy for each partnership subgroup and add partnership messages to team meeting agendas.",
        "dsl",
    ),
    "s1.5": S(
        (
            "Our audit programme for {period} included {n} safeguarding audits, among them recording of the "
            "voice of the child, use of the escalation procedure and supervision records. Findings and action "
            "plans went to the {board} in {d3}.",
            "The {qa} runs a planned programme of single-agency audits. This year's audits of referral quality "
            "({d1}) and recruitment files ({d2}) both went to the leadership team with action plans.",
        ),
        "Audits are carried out in response to incidents rather than to a plan, and findings are not routinely "
        "reported to senior leaders.",
        "Agree an annual safeguarding audit programme and report findings to the leadership team each quarter.",
        "qa",
        hard=True,
    ),
    "s2.1": S(
        (
            "Our Safeguarding Children Policy was approved by the {board} in {d1} and is next due for review in "
            "{review_year}. It follows the OSCB multi-agency procedures and Working Together to Safeguard "
            "Children 2023.",
            "The Safeguarding Children and Young People Policy was updated in {d2} and links directly to the "
            "OSCB online procedures manual; it is next due for review in {review_year}.",
        ),
        "The safeguarding children policy dates from {y_old} and refers to superseded guidance; a revised "
        "draft is with the {dsl} but is not yet approved.",
        "Finalise and approve the revised safeguarding children policy, in line with Working Together 2023 and "
        "the OSCB procedures.",
        "dsl",
    ),
    "s2.2": S(
        (
            "The Safeguarding Adults Policy was reviewed in {d1} and approved by the {board}. It follows the "
            "Oxfordshire Safeguarding Adults Board procedures and the Care Act 2014 guidance, with the next "
            "review due in {review_year}.",
            "We have a joint Safeguarding Children and Adults Policy, updated in {d2}, with a full section on "
            "adults at risk that follows the OSAB multi-agency procedures.",
        ),
        "Adult safeguarding is covered by a short section of the children's policy, which does not yet follow "
        "the OSAB procedures in full.",
        "Write a full adults section in the safeguarding policy that follows the OSAB procedures.",
        "dsl",
    ),
    "s2.3": S(
        (
            "Policies are on the front page of the intranet and in the induction pack, and a flowchart with "
            "contact numbers is displayed in all {sites}. A spot check in {d2} found {pct}% of staff asked "
            "knew where to find the policy.",
            "Staff without regular computer access receive a pocket guide at induction, and posters giving "
            "the contact details of the {dsl} are in all {sites}. In the {d1} staff survey, {pct}% knew where to find "
            "safeguarding guidance.",
        ),
        "Policies are on the intranet, but staff who work out of hours or without a work computer struggle to "
        "reach them; the last spot check found only {pct_low}% could find them.",
        "Produce a printed quick guide and QR-code posters for staff without regular computer access.",
        "comms",
    ),
    "s2.4": S(
        (
            "Our website explains how we keep {people} safe and how to raise a concern, with an easy-read "
            "version; leaflets in {langs} are available at reception.",
            "Information on how to raise a concern is on the website, in welcome packs and on notices in "
            "waiting areas. An easy-read version was produced in {d1} with help from a local self-advocacy group.",
        ),
        "There is a safeguarding statement on our website, but nothing written for {people}, and nothing in "
        "easy-read or other languages.",
        "Publish easy-read and translated information for {people} on how to raise a concern.",
        "comms",
        hard=True,
    ),
    "s2.5": S(
        (
            "All contracts use the standard safeguarding clause requiring providers to follow the OSCB and OSAB "
            "procedures, train their staff and report concerns. Contract monitoring includes an annual "
            "safeguarding self-assessment, and {n} providers were visited in {d2}.",
            "Safeguarding duties are set out in schedule 2 of our contracts. Providers return an annual "
            "safeguarding audit, and the {contracts} follows up any gaps at quarterly review meetings.",
        ),
        "Newer contracts include a safeguarding clause but older ones do not, and contract monitoring does not "
        "yet check safeguarding.",
        "Add the standard safeguarding clause to all contracts at renewal and check safeguarding in annual "
        "contract monitoring.",
        "contracts",
    ),
    "s3.1": S(
        (
            "The {dsl} is the designated safeguarding lead, with {fte} protected for the role and a named "
            "deputy for absences. Both completed advanced multi-agency training in {d1}.",
            "We have designated leads for children and for adults, supported by {n2} safeguarding champions. The "
            "lead role has protected time in the job plan, and the deputy covers leave and sickness.",
        ),
        "The designated lead role sits on top of a busy operational post without protected time, and there is "
        "no formal deputy.",
        "Agree protected time for the designated safeguarding lead and appoint a trained deputy.",
        "senior",
    ),
    "s3.2": S(
        (
            'Every job description includes our standard wording: "All staff have a duty to safeguard and '
            "promote the welfare of children and adults at risk, and to follow the organisation's safeguarding "
            'policies." The {hr} checked all current job descriptions in {d1}.',
            "The safeguarding responsibilities clause is built into the job description template, and recruitment "
            "cannot go ahead without it. A sample check of {n2} job descriptions in {d2} found it in every one.",
        ),
        "The standard wording is in the job description template, but a check found it missing from older job "
        "descriptions, particularly in support roles.",
        "Update every job description that lacks the standard safeguarding clause.",
        "hr",
    ),
    "s3.3": S(
        (
            "The safeguarding team gives advice from 9am to 5pm on weekdays; out of hours, staff contact the "
            "on-call senior manager, whose rota is on the intranet. The {d2} staff survey found {pct}% of staff "
            "knew how to get advice at any time.",
            "Staff can call the safeguarding advice line in working hours and the on-call manager out of hours. "
            "The arrangements are covered at induction and on a wallet card, and a spot check of {n2} staff in "
            "{d1} confirmed they knew them.",
        ),
        "Advice is available in office hours, but out-of-hours arrangements are informal and not all staff know them.",
        "Publish an out-of-hours safeguarding advice rota and include it in induction and team briefings.",
        "dsl",
    ),
    "s3.4": S(
        (
            "Concerns are recorded in {system}, with restricted access for sensitive records. A records audit in "
            "{d2} of {n2} cases found the concern, the decision and the reason recorded in {pct}% of them.",
            "All concerns are logged in {system}, which keeps a trail of who viewed and changed each record. An "
            "audit by the {qa} in {d1} found recording was timely, and identified the reasons for decisions as an area "
            "to strengthen.",
        ),
        "Concerns are recorded, but in several places (email, paper forms and {system}), which makes them hard "
        "to audit.",
        "Move all safeguarding recording into {system} and retire the paper and email logs.",
        "dsl",
    ),
    "s3.5": S(
        (
            "Learning from the {review} was presented to the {board} in {d1}. As a result we changed how {change}, "
            "and a follow-up audit in {d3} found the change in place.",
            "Serious incidents and complaints with a safeguarding element are reviewed monthly by the safeguarding "
            "group. Learning briefs went to all staff in {d1} and {d2}; one led to a change in how {change}.",
        ),
        "Learning from reviews is shared by email, but we cannot yet show that it has changed practice.",
        "Track actions from reviews and incidents in a single learning log reviewed by the leadership team.",
        "qa",
    ),
    "s4.1": S(
        (
            "{n2} children and young people gave their views through our {d1} survey and two focus groups; their "
            "views shaped {shaped}.",
            "Young people on our participation panel meet every term and reviewed {shaped} in {d2}. We also ask "
            "each young person for feedback when our work with them ends.",
        ),
        "We ask children for their views from time to time, but there is no regular way of doing so and no "
        "record of how their views are used.",
        "Set up a regular way to hear from children and young people, working with a local youth organisation.",
        "voice",
        hard=True,
    ),
    "s4.2": S(
        (
            "Adults who use our services and their carers gave feedback through the {d1} survey ({n2} responses) "
            "and a carers' forum; carers asked for clearer contact details, which were added to all letters.",
            "We hold quarterly listening events with adults with care and support needs and their carers, "
            "supported by a local advocacy service. In {d2} they reviewed our safeguarding leaflet.",
        ),
        "We gather adults' views through complaints and the general survey, but carers are rarely asked and "
        "views are not used in planning.",
        "Add questions about feeling safe to the annual survey and hold a carers' listening event.",
        "voice",
        hard=True,
    ),
    "s4.3": S(
        (
            'After {people} told us {said}, we {did}. We told people about the change through a "you said, we '
            'did" poster and our newsletter in {d2}.',
            'Our "you said, we did" log records {n} changes this year. For example, when {people} told us '
            "{said}, we {did}.",
        ),
        "We can point to feedback received, but not to a change made because of it this year.",
        'Introduce a "you said, we did" log and report it to the leadership team twice a year.',
        "voice",
        hard=True,
    ),
    "s4.4": S(
        (
            "Surveys are available in easy-read and in the languages most often spoken by {people}, and "
            "interpreters are booked for focus groups. We still find it hard to hear from {hard_reach}.",
            "We meet people where they already are, such as {places}, and use advocates and interpreters where "
            "needed. An easy-read survey was introduced in {d1}; we are still working to hear from {hard_reach}.",
        ),
        "Our feedback methods mostly reach people who are confident writing in English; we hear little from "
        "disabled people or people who do not speak English.",
        "Work with local advocacy and community groups to hear from people we rarely reach, using easy-read and "
        "interpreters.",
        "voice",
        hard=True,
    ),
    "s4.5": S(
        (
            "The {qa} analyses complaints and compliments every quarter. The {d2} report found {n} complaints "
            "with a safeguarding element, mostly about communication, and went to the leadership team.",
            "The annual complaints report to the {board} in {d1} included safeguarding themes, which led to "
            "refresher training on explaining safeguarding decisions to families.",
        ),
        "Complaints are logged, but they are not analysed for safeguarding themes.",
        "Add a safeguarding flag to the complaints log and report safeguarding themes every quarter.",
        "qa",
    ),
    "s5.1": S(
        (
            "Safeguarding training is a mandatory part of induction, at a level set by role. In {period}, "
            "{pct}% of new starters completed it within their first month.",
            "All new {staff} complete level 1 safeguarding e-learning before they start and role-specific "
            "training within {weeks} weeks; training records show {pct}% compliance for this year's starters.",
        ),
        "Induction includes safeguarding, but records show only {pct_low}% of new starters completed it in the "
        "expected time.",
        "Make safeguarding training a condition of passing probation, and send managers a monthly list of new "
        "starters who are behind.",
        "training",
    ),
    "s5.2": S(
        (
            "Our training needs analysis maps every role to a level in the OSCB training framework and the "
            "intercollegiate or equivalent guidance. It was last reviewed in {d1}.",
            "The training needs analysis, reviewed by the {training} in {d2}, sets the required level for each "
            "role and is built into the learning system so that staff are assigned the right courses.",
        ),
        "The training needs analysis has not been reviewed since {y_old} and does not match the current "
        "partnership training framework.",
        "Review the training needs analysis against the OSCB training framework.",
        "training",
    ),
    "s5.3": S(
        (
            "Training records show {pct}% of staff are up to date with safeguarding training (level 1: {pct_hi}%, "
            "level 3: {pct}%). Managers receive a monthly list of staff who are due or overdue.",
            "Refresher compliance is {pct}% and is reported to the {board} every quarter. Staff more than a month "
            "overdue are followed up by their manager and then by the {training}.",
        ),
        "Refresher compliance is {pct_low}%, below our 90% target, and there is no routine follow-up of staff "
        "who are overdue.",
        "Send managers monthly compliance reports and escalate staff more than three months overdue.",
        "training",
    ),
    "s5.4": S(
        (
            "Designated leads and managers are trained to level 3 or above; this year {n} managers attended OSCB "
            "multi-agency courses, including {courses}.",
            "All safeguarding leads hold advanced training, refreshed every three years, and {n} managers attended "
            "partnership courses in {period}, including {courses}.",
        ),
        "Few managers have taken up the partnership's multi-agency training, and advanced training for leads "
        "has lapsed in some cases.",
        "Book designated leads and managers onto OSCB multi-agency courses and track attendance.",
        "training",
    ),
    "s5.5": S(
        (
            "Every course has a follow-up questionnaire three months later asking how learning has been used; "
            "in {d1}, {pct}% of respondents gave an example from practice. A case audit after the neglect "
            "training found better use of the Graded Care Profile.",
            "We check the impact of training through supervision notes and case audits. After domestic abuse "
            "training in {d1}, the audit in {d3} found routine enquiry about domestic abuse had increased.",
        ),
        "We record attendance, but we do not yet check whether training changes practice.",
        "Introduce a follow-up evaluation three months after safeguarding courses and link it to case audits.",
        "training",
        hard=True,
    ),
    "s5.6": S(
        (
            "This year's programme covered neglect ({n2} staff), child exploitation and domestic abuse through "
            "briefings and OSCB courses, including {courses}.",
            "Partnership priorities are built into level 2 and 3 training; a neglect briefing in {d1} and an "
            "exploitation workshop in {d2} were attended by {n2} staff.",
        ),
        "Training covers safeguarding in general, but not yet the partnership's current priorities.",
        "Add neglect, exploitation and domestic abuse briefings to the training programme.",
        "training",
    ),
    "s6.1": S(
        (
            "{n2} recruiting managers have completed safer recruitment training, and every interview panel for "
            "posts working with children or adults includes at least one of them. An audit of {n} recruitment "
            "files in {d1} found full compliance.",
            "Safer recruitment training is mandatory for recruiting managers and is refreshed every three years; "
            "the {hr} checks panel membership before interviews are arranged.",
        ),
        "Not every interview panel includes a manager trained in safer recruitment, and the last file audit "
        "found missing reference checks.",
        "Require at least one panel member trained in safer recruitment before any interview is arranged.",
        "hr",
    ),
    "s6.2": S(
        (
            "DBS, reference and identity checks are recorded centrally and must be complete before a start date "
            "is confirmed. The {d2} audit of {n2} files, including volunteers and agency staff, found {pct}% "
            "fully compliant.",
            "Checks for staff, volunteers and contractors are tracked centrally by the {hr}, and renewals are "
            "flagged three months before they fall due. The latest audit ({d1}) found no one working without a "
            "valid check.",
        ),
        "Checks are completed for employees, but checks and renewals for volunteers and agency staff are held "
        "locally and not tracked centrally.",
        "Bring vetting records for volunteers and agency staff into the central record and audit them.",
        "hr",
    ),
    "s6.3": S(
        (
            "Our procedure for allegations against staff and volunteers was reviewed in {d1}; it sets out when to "
            "contact the LADO and the adults position of trust lead. Managers are reminded of it at management "
            "briefings.",
            "The managing allegations procedure follows the OSCB and OSAB arrangements and was last reviewed in "
            "{d2}. The {hr} consults the LADO on every allegation that may meet the harm threshold.",
        ),
        "The allegations procedure covers children and the LADO, but not yet the adults position of trust "
        "arrangements.",
        "Update the allegations procedure to include the OSAB position of trust arrangements and brief managers.",
        "hr",
    ),
    "s6.4": S(
        (
            "The {senior} oversees allegations. There were {n} allegations this year; all were discussed with the "
            "LADO on the day they were raised, and all but one concluded within three months.",
            "The {hr} is the named senior manager for allegations and keeps a confidential log reviewed every "
            "quarter. This year's {n} allegations were all handled within the procedure's timescales.",
        ),
        "Allegations are handled case by case with no central log, so we cannot show they are handled promptly.",
        "Create a confidential allegations log, reviewed every quarter by the named senior manager.",
        "hr",
    ),
    "s6.5": S(
        (
            "Referrals to the Disclosure and Barring Service are decided by the {hr} with the {dsl}. We made "
            "{referrals} this year; the duty is covered in manager training and in the allegations procedure.",
            "We made no referrals to the DBS this year. Managers' understanding of the duty was tested in the "
            "allegations training in {d1}, and the {hr} checks every dismissal for a referral decision.",
        ),
        "The duty to refer to the DBS is in policy, but managers are not sure when it applies and there is no "
        "check at the point of dismissal.",
        "Add a DBS referral decision to the dismissal and resignation checklist.",
        "hr",
    ),
    "s7.1": S(
        (
            "Staff use the OSCB threshold of needs guidance and the online referral form to the MASH. MASH "
            "feedback in {d1} rated most of our referrals as good quality.",
            "Referral guidance for children's and adults' social care is on the intranet and covered in level 2 "
            "training. The {dsl} reviews a sample of referrals each quarter against the MASH's feedback.",
        ),
        "Staff know how to refer, but MASH feedback shows referrals often lack the detail social care needs.",
        "Run referral quality briefings with the MASH and audit a sample of referrals each quarter.",
        "dsl",
    ),
    "s7.2": S(
        (
            "We attended {pct}% of the child protection conferences and strategy meetings we were invited to "
            "this year, and {pct2}% of reports were sent on time. The {dsl} reviews attendance every month.",
            "Attendance at conferences, strategy meetings and section 42 enquiry meetings is tracked by the "
            "safeguarding team: {pct}% this year, with reports sent at least three working days before "
            "conferences.",
        ),
        "Attendance at conferences and strategy meetings is not tracked, and reports are sometimes late.",
        "Track attendance and report timeliness for conferences and strategy meetings, and report them monthly.",
        "dsl",
    ),
    "s7.3": S(
        (
            "We contributed to {n} reviews this year, including the {review}. All our actions from them are "
            "complete or on track, tracked by the safeguarding group.",
            "Our staff provided chronologies and attended practitioner events for {n} reviews in {period}; the "
            "{qa} tracks our actions and reports progress to the {board}.",
        ),
        "We contribute to reviews when asked, but our actions from past reviews are not tracked to completion.",
        "Keep one tracker of actions from practice reviews, SARs and DHRs and report progress every quarter.",
        "qa",
    ),
    "s7.4": S(
        (
            "We took part in the OSCB multi-agency audits on {audit_topics}; the learning was shared through a "
            "practice briefing and team meetings in {d2}.",
            "Our staff contributed case files to the {audit_topics} multi-agency audits. The findings were "
            "discussed at the safeguarding group and in the staff newsletter.",
        ),
        "We took part in one multi-agency audit, but the learning was not shared beyond the staff involved.",
        "Share the learning from every multi-agency audit in a practice briefing within a month.",
        "qa",
    ),
    "s7.5": S(
        (
            "Staff are trained to recognise when families need early help and how to contact the locality "
            "community support service. This year we worked with {partner} on {joint}.",
            "Our early help work links with the county's family help hubs; the {dsl} attends the locality early "
            "help meetings, and {n} joint cases were reviewed in {d1}.",
        ),
        "Early help is offered, but links with partners' early help services depend on individual staff.",
        "Agree a named early help link for each locality and brief staff on the family help hubs.",
        "dsl",
    ),
    "s8.1": S(
        (
            "Information sharing is covered at every level of safeguarding training, using the government's "
            "seven golden rules. A staff survey in {d1} found {pct}% were confident to share without consent "
            "where someone is at risk.",
            "Staff guidance on information sharing, based on the national advice for practitioners, was updated "
            "in {d2}; the {it} runs short briefings for teams twice a year.",
        ),
        "Staff worry about data protection and are sometimes slow to share; our survey found only {pct_low}% "
        "felt confident to share without consent.",
        "Run information sharing briefings and publish a one-page guide for staff.",
        "it",
    ),
    "s8.2": S(
        (
            "We have signed the Oxfordshire multi-agency information sharing agreement, last reviewed in {d1}, "
            "and have a data processing agreement with the MASH.",
            "Our information sharing protocol for safeguarding was signed by the {senior} in {d2} and follows the "
            "Thames Valley overarching information sharing protocol.",
        ),
        "We follow the partnership's information sharing agreement in practice, but have not signed the "
        "current version.",
        "Sign the current Oxfordshire information sharing agreement and publish it to staff.",
        "it",
    ),
    "s8.3": S(
        (
            "Decisions to share or not to share are recorded in {system}, with a mandatory reason field. The "
            "records audit in {d2} found the reason recorded in {pct}% of cases.",
            "Our recording template prompts staff to record what was shared, with whom and why, or why not. An "
            "audit by the {qa} in {d1} checked this in {n2} records.",
        ),
        "Decisions to share are usually recorded, but the reasons for not sharing rarely are.",
        "Add a mandatory reason field for information sharing decisions to the recording template.",
        "it",
        hard=True,
    ),
    "s8.4": S(
        (
            "Staff use secure email and the partner portal for safeguarding information, and no data breaches "
            "involving safeguarding information were reported this year.",
            "Safeguarding information is sent by secure email only, which staff are taught at induction. One "
            "misdirected email in {d1} was reported to the {it}, and the learning led to a change in default "
            "address settings.",
        ),
        "Most staff use secure email, but some still send safeguarding information by ordinary email, and two "
        "breaches occurred this year.",
        "Switch on automatic encryption for email to partner agencies and remind staff of the secure methods.",
        "it",
    ),
    "s8.5": S(
        (
            "Requests from partners for information for safeguarding enquiries and reviews are handled by the "
            "safeguarding team; {pct}% were answered within the agreed five working days this year.",
            "The {dsl} logs every request for information from partners; the median response time this year was "
            "{days} working days.",
        ),
        "Requests for information are answered, but there is no log, and partners have reported delays.",
        "Log requests for information from partners and monitor response times against a five-day target.",
        "dsl",
    ),
    "s9.1": S(
        (
            "Staff are expected to see children alone where it is safe to do so and to record their words. The "
            "case file audit in {d1} found the child's own words recorded in {pct}% of records.",
            "Our recording template has a section for the child's words and how they presented. An audit by the "
            "{qa} in {d2} found good recording of what children said, with less about how they seemed.",
        ),
        "Children's views are often summarised by adults; the audit found the child's own words in only "
        "{pct_low}% of records.",
        'Add a "child\'s words" section to the recording template and check it in audits.',
        "qa",
    ),
    "s9.2": S(
        (
            "Desired outcomes were asked for and recorded in {pct}% of enquiries this year, and {pct2}% of those "
            "were fully or partly met. Making Safeguarding Personal is part of level 2 and 3 training.",
            "We ask adults what outcomes they want at the start of each enquiry and record them in {system}; the "
            "{d1} audit found outcomes recorded in most cases.",
        ),
        "Staff ask adults about outcomes, but they are not recorded consistently, so we cannot measure whether "
        "they were met.",
        "Add Making Safeguarding Personal questions to the recording template and audit them.",
        "qa",
        hard=True,
    ),
    "s9.3": S(
        (
            "Interpreters, face to face and by phone, are booked routinely, and we refer to the local advocacy "
            "service for adults and the children's rights service for children. Interpreters were used {n2} "
            "times this year.",
            "Advocacy is offered to every child and adult in a safeguarding process who needs support to give "
            "their views; communication aids and easy-read materials are available in all {sites}.",
        ),
        "Interpreters are available, but advocacy is not routinely offered, and we do not record how often it is used.",
        "Offer advocacy routinely and record when it is offered and taken up.",
        "dsl",
    ),
    "s9.4": S(
        (
            "Our case audit tool asks whether the voice of the child or adult is recorded and how it influenced "
            "the decision. The {d2} audit found good practice in {pct}% of cases, and staff had feedback in "
            "supervision.",
            "Every quarterly audit includes a question on voice; results are reported to the leadership team, "
            "and the {d1} results led to a practice briefing.",
        ),
        "Our audit tool does not ask about the voice of the child or adult, so we cannot show it influences decisions.",
        "Add a question on voice to the case audit tool and report the results every quarter.",
        "qa",
        hard=True,
    ),
    "s10.1": S(
        (
            "Practitioners have monthly recorded supervision with a standing safeguarding item; the {d1} audit of "
            "supervision records found safeguarding discussed in {pct}% of sessions.",
            "Supervision includes safeguarding cases, and the {dsl} runs monthly group safeguarding supervision "
            "for frontline teams.",
        ),
        "Supervision takes place, but safeguarding is not a standing item and records are not audited.",
        "Add a standing safeguarding item to the supervision template and audit a sample of records.",
        "dsl",
    ),
    "s10.2": S(
        (
            "The supervision policy sets monthly supervision for frontline staff and six-weekly for others; "
            "{pct}% of staff received it this year, reported quarterly to the leadership team.",
            "Supervision is recorded in the HR system; compliance was {pct}% in {d3}, and managers with low rates "
            "were followed up.",
        ),
        "The supervision policy sets a frequency, but we do not monitor whether supervision happens.",
        "Report supervision compliance to the leadership team every quarter.",
        "hr",
        hard=True,
    ),
    "s10.3": S(
        (
            "Our Speaking Up (whistleblowing) policy was reviewed in {d1} and explains how to raise concerns "
            "outside the organisation, including with {regulator}. It is covered at induction and on the "
            "intranet.",
            "The whistleblowing policy, last reviewed in {d2}, is promoted through posters and the staff "
            "newsletter; {pct}% of staff in the survey knew how to raise a concern outside the agency.",
        ),
        "The whistleblowing policy exists, but staff do not know about it, and it does not explain how to raise "
        "a concern outside the agency.",
        "Refresh the whistleblowing policy, add the external routes and promote it at team meetings.",
        "hr",
    ),
    "s10.4": S(
        (
            "There were {n} whistleblowing concerns this year; each was reviewed by the {senior} and reported "
            "without names to the {board}. None of the staff involved reported unfair treatment.",
            "A Freedom to Speak Up guardian supports staff who raise concerns, and the {board} receives a "
            "six-monthly report on themes. One concern this year led to a change in night-time staffing.",
        ),
        "Whistleblowing concerns are handled, but senior leaders do not review them together to spot themes.",
        "Report whistleblowing themes to the senior leadership twice a year.",
        "senior",
    ),
    "s10.5": S(
        (
            "Staff can use the employee assistance programme and monthly reflective practice sessions; an average "
            "of {n2} staff a month attended reflective sessions this year.",
            "We offer trauma-informed supervision, wellbeing check-ins and an employee assistance service; the "
            "{d1} staff survey found {pct}% knew how to get support after a distressing case.",
        ),
        "An employee assistance service exists, but there is no structured support after distressing "
        "safeguarding cases.",
        "Introduce reflective practice sessions for staff working on safeguarding cases.",
        "senior",
    ),
    "s11.1": S(
        (
            "The OSCB escalation procedure is part of level 3 training and of supervision; a staff survey in {d1} "
            "found {pct}% of practitioners knew how to use it.",
            "We promoted the partnership's escalation procedure in a practice briefing in {d1} and at team "
            "meetings, and the {dsl} supports staff who use it.",
        ),
        "The escalation procedure is on the intranet, but few staff know it; this standard is new to us.",
        "Brief all teams on the partnership escalation procedure and add it to supervision.",
        "dsl",
        hard=True,
    ),
    "s11.2": S(
        (
            "The safeguarding team logs escalations raised and received; this year we raised {n} and received "
            "{small}, all resolved at stage 1 or 2.",
            "We log escalations in {system} with their outcome. We raised {n} escalations this year, mostly about "
            "threshold decisions, and all were resolved.",
        ),
        "Escalations are not yet recorded centrally, so we cannot say how many were raised or how they ended.",
        "Start an escalation log, held by the safeguarding team, that records outcomes.",
        "dsl",
        hard=True,
    ),
    "s11.3": S(
        (
            "Managers are expected to speak to their counterpart in the other agency within two working days. In "
            "{d1} a disagreement about a strategy meeting decision was resolved by a call between managers the "
            "same day.",
            "Managers have guidance on resolving disagreements early, with support from the {dsl}, and all "
            "disagreements this year were resolved within the procedure's timescales.",
        ),
        "Managers resolve some disagreements informally, but there is no guidance on timescales and no support "
        "for doing so.",
        "Give managers guidance on resolving professional disagreements within the procedure's timescales.",
        "senior",
    ),
    "s11.4": S(
        (
            "Escalation themes are reported to the leadership team every six months and were shared with the "
            "OSCB Performance and Quality Assurance subgroup in {d2}.",
            "The {dsl} reports escalation themes to the {board}; the {d1} report highlighted disagreements about "
            "neglect thresholds, which we raised with the partnership.",
        ),
        "Escalation themes are not yet reported to senior leaders or to the partnership.",
        "Report escalation themes to the leadership team and to the OSCB twice a year.",
        "dsl",
        hard=True,
    ),
}
del S

#: Statements whose wording changed for 2026/27: a reviewer rewrites the evidence, adding this.
REWORDED_2026 = {
    "s3.1": "Since {d1} there is a named lead for adults as well as for children, with the authority to "
    "escalate directly to the {senior}.",
    "s5.2": "The analysis now maps the partnership priorities (neglect, exploitation and domestic abuse) to each role.",
    "s7.1": "The {d2} referral audit checked that referrals say what the concern is, what has been done and "
    "what the family thinks.",
}

#: A second sentence sometimes added to evidence, per standard.
SECTION_EXTRAS: dict[str, tuple[str, ...]] = {
    "s1": (
        "The safeguarding group, chaired by the {senior}, meets every {freq} and reports to the {board}.",
        "Safeguarding is one of the annual objectives of the {senior}.",
    ),
    "s2": (
        "Policies are checked against the OSCB procedures whenever the procedures change.",
        "Policy changes are summarised for staff in the safeguarding newsletter.",
    ),
    "s3": (
        "Structure charts showing the safeguarding leads are on the intranet.",
        "The {dsl} keeps a log of advice given, which shows {n2} consultations this year.",
    ),
    "s4": (
        "Feedback is reported to the leadership team twice a year.",
        'We share what changed through "you said, we did" updates.',
    ),
    "s5": (
        "Training compliance is reported to the {board} every quarter.",
        "Course evaluations are reviewed by the {training}.",
    ),
    "s6": (
        "The {hr} reports recruitment and vetting compliance to the leadership team every quarter.",
        "The procedure is checked against the OSCB and OSAB guidance every year.",
    ),
    "s7": (
        "Our contact details are kept up to date with the MASH.",
        "Feedback from partners is discussed at the safeguarding group.",
    ),
    "s8": (
        "The {it} advises staff on information sharing questions.",
        "Information sharing is covered in level 2 and 3 training.",
    ),
    "s9": (
        "Audit results are shared with teams in practice briefings.",
        "Good examples are shared in the staff newsletter.",
    ),
    "s10": (
        "Supervision and wellbeing are discussed by the leadership team every quarter.",
        "The staff survey includes questions on supervision and speaking up.",
    ),
    "s11": (
        "The procedure is linked from the safeguarding pages of the intranet.",
        "Escalation is a standing item at the safeguarding group.",
    ),
}

#: Best-practice examples for Blue ratings, per standard: (the statements each one fits, the example).
EXAMPLES: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "s1": (
        (("s1.1", "s1.4"), "Our board safeguarding champion visits a frontline team each quarter and reports back "
         "to the {board}; two partner agencies have asked to copy the model."),
        (("s1.3", "s1.5"), "A one-page safeguarding dashboard brings training, supervision and audit data together; "
         "we have shared the template with the OSCB performance subgroup."),
        (("s1.1", "s1.2", "s1.3"), "An annual safeguarding assurance day on which the leadership team shadows "
         "frontline staff, followed by a board session on what they saw."),
        (("s1.4",), "After every partnership meeting our representative writes a one-page \"what the OSCB "
         "decided\" note, which managers read out at team briefings."),
        (("s1.5",), "Frontline staff choose one topic in our audit programme each year and take part in the "
         "audit themselves."),
    ),
    "s2": (
        (("s2.4",), "Our easy-read safeguarding leaflet was written with people who use our services and is now "
         "used by two other partner agencies."),
        (("s2.3",), "A one-page policy summary with a QR code on the back of every staff ID badge, so staff "
         "without a work computer can reach the policy in seconds."),
        (("s2.5",), "Contract monitoring visits include a conversation with the provider's frontline staff, not "
         "only a check of documents."),
        (("s2.1", "s2.2"), "The policy opens with a one-page \"what to do if\" summary tested with frontline "
         "staff; the OSCB has shared it with other agencies as a model."),
    ),
    "s3": (
        (("s3.3",), "The safeguarding advice line logs every consultation and themes are fed back to teams "
         "monthly; in the staff survey 97% said they knew how to get advice."),
        (("s3.1", "s3.3"), "A \"safeguarding lead of the day\" rota gives every team a named contact each day, "
         "weekends included."),
        (("s3.5",), "Learning from a practice review was turned into a ten-minute video now used in team "
         "meetings across the agency."),
        (("s3.2",), "Safeguarding responsibilities are discussed at every appraisal, using a short checklist "
         "built into the appraisal form."),
        (("s3.4",), "A quarterly recording audit carried out by peers from another team, with the findings "
         "discussed at team meetings."),
    ),
    "s4": (
        (("s4.1", "s4.3"), "Young inspectors from our participation group reviewed three services this year, and "
         "all their recommendations were adopted."),
        (("s4.3", "s4.5"), "A \"you said, we did\" board in every waiting area, updated monthly, shows the "
         "changes made because of feedback."),
        (("s4.2", "s4.4"), "Feedback gathered at community events run with local faith and community groups "
         "reaches families who rarely answer surveys."),
        (("s4.2", "s4.5"), "A panel of people who use our services reviews complaint themes with us and helped "
         "rewrite our response letters."),
    ),
    "s5": (
        (("s5.5",), "Case audits after training show changes in practice; we shared the method with the OSCB "
         "training subgroup as a model for evaluating impact."),
        (("s5.1", "s5.3", "s5.6"), "Short \"safeguarding in ten minutes\" briefings for shift workers, delivered "
         "at handover, with attendance recorded."),
        (("s5.1", "s5.2"), "The training needs analysis is linked to the HR system, so every new starter is "
         "assigned the right level of training automatically."),
        (("s5.4", "s5.6"), "Every designated lead attends at least two OSCB multi-agency courses a year and runs a "
         "briefing for colleagues on what they learnt."),
    ),
    "s6": (
        (("s6.2",), "A quarterly dashboard of vetting records with automatic reminders before DBS renewals; the "
         "last three audits found no gaps."),
        (("s6.1",), "Values-based interview questions on safeguarding, written with young people, are used for "
         "every post."),
        (("s6.3", "s6.4", "s6.5"), "A weekly allegations review with HR, the safeguarding lead and the LADO's "
         "office, mentioned as good practice in the LADO's annual report."),
    ),
    "s7": (
        (("s7.1", "s7.2"), "A joint triage pilot with the MASH that halved the time taken to decide on our "
         "referrals."),
        (("s7.3", "s7.4"), "Practitioner-led learning events after every practice review, open to partner "
         "agencies."),
        (("s7.5",), "A named link worker for each family help hub, which has improved the quality of early help "
         "requests."),
    ),
    "s8": (
        (("s8.1", "s8.2"), "A one-page \"when to share\" flowchart designed with the MASH and now used by other "
         "agencies."),
        (("s8.3",), "Information sharing decisions are audited every quarter and the results discussed in "
         "supervision."),
        (("s8.4",), "Secure email by default for all partner domains, introduced after learning from a near miss."),
        (("s8.5",), "A shared inbox and tracker for partners' requests for information, with a two-day target "
         "met in almost every case."),
    ),
    "s9": (
        (("s9.1", "s9.4"), "\"Three houses\" direct work tools are used in every assessment, and children's "
         "drawings are kept on file."),
        (("s9.2", "s9.4"), "Making Safeguarding Personal outcomes are reported by team every quarter, with peer "
         "discussion of cases where outcomes were not met."),
        (("s9.1", "s9.3"), "A young people's advisory group trains our staff in how to listen to children."),
        (("s9.3",), "Interpreters and advocates are booked automatically when a need is recorded at first "
         "contact."),
    ),
    "s10": (
        (("s10.1", "s10.5"), "Monthly reflective group supervision led by a clinical psychologist, with high "
         "attendance and strong evaluations."),
        (("s10.3", "s10.4"), "A network of Speak Up champions across all sites, with quarterly reports to the "
         "{board}."),
        (("s10.5",), "A wellbeing check-in offered within 48 hours of every serious incident."),
        (("s10.2",), "Supervision compliance is shown on each manager's dashboard and discussed in their own "
         "supervision."),
    ),
    "s11": (
        (("s11.2", "s11.4"), "An escalation log shared with partner agencies so both sides see progress, "
         "presented to the OSCB as good practice."),
        (("s11.1", "s11.3"), "Escalation scenarios are built into level 3 training so practitioners rehearse "
         "using the procedure."),
        (("s11.4",), "A six-monthly escalation themes report to the OSCB that led to a partnership briefing on "
         "thresholds."),
    ),
}  # fmt: skip

RED_NOTES = (
    "Most of this statement still needs work.",
    "This remains a significant gap for us.",
    "We have made little progress on this so far.",
)
AMBER_NOTES = (
    "The action below addresses this.",
    "Work has started; see the action plan.",
    "",
    "",
)

#: Statements that do not apply to an agency (matched on part of its name), with the reason it gives.
NOT_APPLICABLE: list[tuple[str, str, str]] = [
    ("Children's Services", "s9.2",
     "Adult safeguarding enquiries are led by Adult Social Care. Children's social workers contribute when a "
     "parent or young adult is the subject of an enquiry; this is covered under 7.2."),
    ("Adult Social Care", "s4.1",
     "Adult Social Care does not plan or run services for children. The views of young people moving into adult "
     "services are gathered by the transitions team and reported under 4.2."),
    ("– Education", "s9.2",
     "The Education service does not carry out adult safeguarding enquiries; concerns about adults are referred "
     "to Adult Social Care."),
    ("Public Health", "s9.1",
     "Public Health commissions children's services, such as health visiting and school nursing, rather than "
     "working with children directly. Providers' practice is checked through contract monitoring (2.5)."),
    ("Public Health", "s9.2",
     "Public Health does not carry out adult safeguarding enquiries; providers' practice is checked through "
     "contract monitoring (2.5)."),
    ("Cherwell", "s9.2",
     "The council does not lead section 42 enquiries. Officers report concerns to Adult Social Care and "
     "contribute information when asked; the adult's wishes are recorded on the referral."),
    ("Vale of White Horse", "s9.2",
     "The council does not lead section 42 enquiries. Officers report concerns to Adult Social Care and "
     "contribute information when asked."),
    ("West Oxfordshire", "s9.1",
     "Council officers do not carry out casework with children. Concerns about children met during housing or "
     "licensing work are referred to the MASH, as described in 7.1."),
    ("Clinical Commissioning", "s9.1",
     "The CCG commissions services and does not see children directly. The designated nurses check how "
     "providers record the child's voice through contract monitoring and audits."),
    ("NHS England", "s9.1",
     "NHS England commissions primary care and specialised services and does not see children directly; "
     "providers report on the voice of the child through their own returns."),
    ("NHS England", "s9.2",
     "NHS England does not carry out adult safeguarding enquiries; providers report on Making Safeguarding "
     "Personal through their own returns."),
    ("Primary Headteachers", "s4.2",
     "Primary schools do not provide services to adults with care and support needs. Parents' views are gathered "
     "through schools' parent surveys, covered in 4.1."),
    ("Primary Headteachers", "s9.2",
     "Schools do not lead adult safeguarding enquiries; concerns about adults are referred to Adult Social Care."),
    ("Secondary Schools", "s9.2",
     "Schools do not lead adult safeguarding enquiries; concerns about adults, including sixth-formers over 18, "
     "are referred to Adult Social Care."),
    ("Independent Schools", "s9.2",
     "Schools do not lead adult safeguarding enquiries; concerns about adults are referred to Adult Social Care."),
    ("Home-Start", "s2.5",
     "Home-Start Oxford does not commission services from other providers; all support is given by our own "
     "staff and volunteers."),
    ("Home-Start", "s9.2",
     "We support families with young children. Concerns about adults are referred to Adult Social Care, and we "
     "do not take part in enquiries beyond providing information."),
    ("Oxfordshire Youth", "s2.5", "Oxfordshire Youth does not commission services from other providers."),
    ("Oxfordshire Youth", "s7.3",
     "We have not been asked to contribute to a practice review, safeguarding adults review or domestic homicide "
     "review."),
    ("Cafcass", "s4.2",
     "Cafcass works with children in family court proceedings; adults are involved as parents, not as people "
     "with care and support needs."),
    ("Cafcass", "s9.2", "Cafcass does not carry out adult safeguarding enquiries."),
    ("HM Prison", "s4.1",
     "HMP Bullingdon holds adult men and does not provide services to children; the family visits service is "
     "run by a commissioned charity, covered under 2.5."),
    ("HM Prison", "s9.1",
     "Staff do not work directly with children; concerns arising from visits are referred to the MASH."),
    ("RAF Brize Norton", "s2.5",
     "Welfare, education and housing services on the station are commissioned centrally by the Ministry of "
     "Defence, not by the station."),
    ("Army", "s2.5",
     "Welfare and housing services for the barracks are commissioned centrally by the Ministry of Defence."),
    ("Youth Justice", "s9.2",
     "The Youth Justice Service works with children aged 10 to 17; concerns about adults are referred to Adult "
     "Social Care."),
    ("Healthwatch", "s2.5", "Healthwatch Oxfordshire does not commission services."),
]  # fmt: skip

REVIEWS = (
    "OSCB child safeguarding practice review into neglect",
    'safeguarding adults review "Adult K"',
    "local rapid review of an injury to a non-mobile infant",
    "domestic homicide review published by the Community Safety Partnership",
    "thematic review of child exploitation",
)
CHANGES = (
    "we follow up missed appointments for children",
    "we record who else lives in the household",
    "we share concerns about unborn babies",
    "we check in with carers who are under strain",
    "we respond when a young person goes missing",
)
SHAPED = (
    "the design of the new waiting area",
    "our leaflets for young people",
    "the new online referral form",
    "how we run review meetings",
    "the opening hours of the drop-in service",
)
YOU_SAID = (
    ("our letters were hard to understand", "rewrote our letters so they say plainly why we are in contact"),
    ("they did not know who to contact after hours", "added the out-of-hours number to every letter and text"),
    ("daytime appointments clashed with work and school", "added evening appointments twice a week"),
    ("they could not talk privately in a busy reception", "made a quiet room available at every site"),
    ("they did not understand why information was shared", "changed how we explain information sharing at "
     "first contact"),
)  # fmt: skip
HARD_REACH = (
    "young carers",
    "Gypsy, Roma and Traveller families",
    "fathers",
    "older people who are isolated",
    "families in temporary accommodation",
)
PLACES = (
    "community centres, food banks and family hubs",
    "schools and youth clubs",
    "GP surgeries and community cafés",
    "hostels and day centres",
)
LANGS = ("Arabic, Polish, Urdu and Romanian", "Polish, Bengali, Portuguese and Arabic", "Urdu, Polish and Romanian")
SUBGROUPS = (
    "Performance and Quality Assurance",
    "Case Review",
    "Training",
    "Child Exploitation",
    "Neglect",
    "Domestic Abuse",
)
COURSES = (
    "Neglect and the Graded Care Profile",
    "Working with Resistance",
    "Child Exploitation",
    "Domestic Abuse and Coercive Control",
    "Safeguarding Adults Enquiries",
    "Think Family",
    "Trauma-Informed Practice",
)
AUDIT_TOPICS = (
    "neglect",
    "child exploitation",
    "domestic abuse",
    "transitions to adulthood",
    "self-neglect",
    "children missing education",
)
#: Partners an agency did early help work with, and what the work was.
JOINT_WORK = (
    ("the family help hubs", "support for families in temporary accommodation"),
    ("the district council's housing team", "a hoarding and self-neglect protocol"),
    ("the police neighbourhood team and the Youth Justice Service", "a pilot to reduce repeat missing episodes"),
    ("school nurses and the family help hubs", "the holiday activities and food programme"),
    ("health visitors", "a shared approach to early signs of neglect in families with babies"),
)
FTE = ("two days a week", "three days a week", "half of their working week", "all of their working time")
FREQ = ("month", "six weeks", "quarter")
WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}

NOTES = (
    "Our {inspection} in {d1} looked at safeguarding; its findings are reflected in this return.",
    "Two teams merged in {d2}, and the safeguarding arrangements of both are covered here.",
    "Figures are for the year to the end of {d3}.",
)

# =================================================================================================
# Content: impact assessment
# =================================================================================================

#: A text is either for every sector, or (sectors, text) for those sectors only.
Text = str | tuple[tuple[str, ...], str]

PRESSURES: dict[str, tuple[Text, ...]] = {
    "complex_cases": (
        "We are seeing more {people} with several needs at once, such as mental ill health, substance misuse "
        "and domestic abuse. Cases take longer and need more senior oversight, which stretches our "
        "safeguarding leads.",
        "Cases are more complex than two years ago: more {people} present with exploitation, self-neglect or "
        "trauma, and fewer cases can be closed quickly. Staff spend more time in multi-agency meetings for "
        "each case.",
        "The people we work with increasingly have multiple and overlapping vulnerabilities. Risk assessments "
        "take longer, and staff tell us they feel less confident managing cases that cross service boundaries.",
    ),
    "demand": (
        "Contacts and referrals rose by about {rise}% on last year while staffing stayed the same, so waiting "
        "times have lengthened and managers have less time for supervision.",
        "The volume of safeguarding work keeps growing: more concerns raised, more strategy meetings and more "
        "requests for information from partners. Our safeguarding team has had to concentrate on the "
        "highest-risk cases.",
        "Demand has outstripped capacity for most of the year. Safeguarding advice calls alone are up by "
        "{rise}%, and routine audit work has been delayed to keep up.",
    ),
    "funding": (
        "Our budget fell in real terms this year, and short-term funding for two posts ends in March. "
        "Uncertainty makes it hard to plan training and keep experienced staff.",
        "Savings targets mean vacant posts are held for longer and some preventive work has stopped. We are "
        "protecting the core safeguarding team, but the capacity around it has shrunk.",
        (
            ("voluntary",),
            "Most of our safeguarding work is funded by annual grants. Each year we spend time bidding for the "
            "same work, and staff on fixed-term contracts leave before their funding ends.",
        ),
        (
            ("district_council", "local_authority"),
            "The council faces a significant budget gap over the next three years. Non-statutory work that helps "
            "prevent harm, such as community safety and youth work, is most at risk.",
        ),
    ),
    "recruitment": (
        "We have persistent vacancies in frontline posts and rely on agency staff, who take time to learn local "
        "procedures. Turnover makes it hard to keep training compliance high.",
        "Recruiting experienced practitioners in Oxfordshire is difficult because of housing costs; several "
        "posts have been advertised three times this year.",
    ),
    "housing": (
        (
            ("district_council",),
            "More households are in temporary accommodation, often outside their home district, which disrupts "
            "schooling and support networks. Our housing officers identify safeguarding concerns more often and "
            "need to work closely with social care.",
        ),
        (
            ("probation",),
            "Many people leaving prison have nowhere suitable to live, which makes it harder to manage risks to "
            "children and partners and raises the chance of reoffending.",
        ),
        (
            ("local_authority", "district_council", "health", "police", "education", "voluntary", "other"),
            "Homelessness presentations have risen, including young people sofa-surfing and families evicted "
            "from private rented homes. The shortage of suitable accommodation leaves some people at risk for "
            "longer.",
        ),
        (
            ("military",),
            "Families who leave service accommodation after a relationship breaks down, often with children, can "
            "find themselves homeless at short notice and far from their support networks.",
        ),
    ),
    "mental_health": (
        "Many of the {people} we work with have mental health needs that are not being met because of long "
        "waits for specialist services, so staff are holding risk for longer.",
        "Rising anxiety, self-harm and eating disorders, particularly among young people, take up a growing "
        "share of safeguarding time.",
    ),
    "cost_of_living": (
        "The cost of living is pushing more families into debt and food insecurity, which raises stress at home "
        "and the risk of neglect.",
    ),
    "wellbeing": (
        "Staff are tired after several years of high demand; sickness absence has risen and some experienced "
        "staff have reduced their hours.",
    ),
    "legislation": (
        "Changes to statutory guidance, including Working Together 2023, need policy rewrites and training at a "
        "time of limited capacity.",
    ),
    "it_systems": (
        "Our recording system does not link with partners' systems, so information is re-keyed and delays occur "
        "when it matters most.",
    ),
    "partnership_capacity": (
        "Partners are stretched too, so multi-agency meetings are harder to arrange and decisions take longer.",
    ),
}

ENABLERS: dict[str, tuple[Text, ...]] = {
    "joint_working": (
        "Closer joint working with children's and adults' social care, especially at the front door, would help "
        "us agree thresholds and act sooner. Joint sessions with the MASH would be a good start.",
        "Meeting partners regularly in each locality would make it easier to raise concerns early and plan "
        "together, rather than meeting only when a case reaches crisis.",
        "Joint visits and shared plans with health and social care for the families we have in common would "
        "cut duplication and help families tell their story once.",
    ),
    "frank_conversations": (
        "Regular space for honest conversations between agencies about what is not working, without it feeling "
        "like blame, would help us resolve disagreements earlier.",
        "We would value practitioner forums where staff from different agencies can talk frankly about "
        "difficult cases and the pressures they face.",
    ),
    "understanding_pressures": (
        "If partners understood the operational pressures each agency faces, expectations about response times "
        "and attendance at meetings would be more realistic.",
        "Sharing each agency's demand and capacity figures at the partnership would help everyone plan and "
        "avoid requests that cannot be met.",
    ),
    "shared_training": (
        "More multi-agency training, delivered locally and at times shift workers can attend, would build "
        "confidence and relationships.",
    ),
    "escalation_routes": (
        "Clearer and quicker routes to escalate disagreements about thresholds would help staff challenge "
        "decisions with confidence.",
    ),
    "information_systems": (
        "A secure way to share information with partners, ideally a shared portal, would save time and reduce "
        "the risk of information going astray.",
    ),
    "stable_funding": (
        (
            ("voluntary",),
            "Funding over several years instead of annual grants would let us keep experienced staff and plan "
            "preventive work.",
        ),
        "A funding settlement covering more than one year would let us plan preventive work and keep posts that "
        "are now on fixed-term contracts.",
    ),
    "workforce_development": (
        "Investment in supervision and career pathways for safeguarding practitioners would help us keep "
        "experienced staff.",
    ),
    "partnership_feedback": (
        "Feedback from the partnership on our Section 11 return and our referrals would show us where to improve.",
    ),
}

#: Base weights for drawing the ranked categories; sectors adjust them.
PRESSURE_WEIGHTS = {
    "complex_cases": 11,
    "demand": 9,
    "funding": 8,
    "recruitment": 4,
    "housing": 1,
    "mental_health": 3,
    "cost_of_living": 2,
    "wellbeing": 2,
    "legislation": 1,
    "it_systems": 1,
    "partnership_capacity": 1,
}
PRESSURE_SECTOR_WEIGHTS: dict[str, dict[str, int]] = {
    "district_council": {"housing": 10, "complex_cases": 8, "recruitment": 2},
    "health": {"recruitment": 6, "mental_health": 5},
    "voluntary": {"funding": 12, "demand": 8, "cost_of_living": 4},
    "police": {"demand": 11},
    "probation": {"demand": 10, "recruitment": 6, "housing": 3},
    "education": {"mental_health": 6, "cost_of_living": 3},
    "local_authority": {"recruitment": 5},
}
ENABLER_WEIGHTS = {
    "joint_working": 11,
    "frank_conversations": 9,
    "understanding_pressures": 8,
    "shared_training": 3,
    "escalation_routes": 2,
    "information_systems": 3,
    "stable_funding": 2,
    "workforce_development": 2,
    "partnership_feedback": 1,
}
ENABLER_SECTOR_WEIGHTS: dict[str, dict[str, int]] = {
    "voluntary": {"stable_funding": 6},
    "health": {"information_systems": 5},
    "education": {"shared_training": 5},
}

IMPROVEMENT_SECTOR = {
    "local_authority": (
        "Case audits found that plans for children experiencing neglect drift when cases step down to early "
        "help, and we are strengthening step-down planning with the family help hubs.",
        ("neglect", "early_help", "recording"),
    ),
    "district_council": (
        "Housing and environmental health officers need more confidence in spotting self-neglect and "
        "exploitation, and training is booked for the spring.",
        ("workforce", "exploitation", "neglect"),
    ),
    "police": (
        "Our audit of domestic abuse incidents found that children present were not always referred promptly, "
        "and supervisors now check every incident where a child was present.",
        ("domestic_abuse", "voice", "information_sharing"),
    ),
    "probation": (
        "We need to strengthen home visits and checks with children's social care for people on probation who "
        "live with children.",
        ("information_sharing", "domestic_abuse", "recording"),
    ),
    "health": (
        "Audits show that adult-facing services do not consistently record whether patients care for children "
        "(Think Family), and we are adding prompts to the electronic patient record.",
        ("voice", "recording", "transitions"),
    ),
    "education": (
        "We want to improve support for students with mental health needs who are at risk of exploitation, and "
        "the recording of low-level concerns.",
        ("exploitation", "recording", "workforce"),
    ),
    "voluntary": (
        "Volunteers need better refresher training and supervision, and we want to improve how concerns are "
        "recorded and followed up.",
        ("workforce", "recording", "voice"),
    ),
    "military": (
        "Welfare staff change frequently with postings, so we need a stronger handover of safeguarding knowledge "
        "and links with local services.",
        ("workforce", "information_sharing", "domestic_abuse"),
    ),
    "other": (
        "We want to improve how learning from reviews reaches frontline staff.",
        ("workforce", "recording"),
    ),
}

SERVICE_CHANGES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "local_authority": (
        ("Opened two more family help hubs, in Banbury and Abingdon.",
         "Families can get help closer to home; early help requests from schools in those areas rose.", "children"),
        ("Moved the front door to a single phone number and online form for children's and adults' concerns.",
         "Professionals report quicker acknowledgement, though call waiting times rose at first.", "both"),
        ("Introduced a specialist adolescent safeguarding team.",
         "Young people at risk of exploitation keep the same worker; missing episodes fell.", "children"),
    ),
    "district_council": (
        ("Opened a new emergency accommodation scheme for families within the district.",
         "Fewer families are placed out of area, so children stay at their schools.", "both"),
        ("Brought the housing options service back in house.",
         "Clearer safeguarding responsibility; staff were retrained in the council's procedures.", "adults"),
        ("Added safeguarding training to the taxi and private hire licence conditions.",
         "More concerns about passengers are reported by drivers.", "both"),
    ),
    "police": (
        ("Created a dedicated child exploitation team for Oxfordshire.",
         "Faster joint investigations with social care; more disruption orders secured.", "children"),
        ("Introduced Right Care, Right Person for mental health calls.",
         "Officers attend fewer health-related calls; partners report some early gaps in response.", "adults"),
    ),
    "probation": (
        ("Unified probation case management across the region.",
         "One system for all cases makes home visit checks and MAPPA work more consistent.", "adults"),
        ("Started a family engagement pilot for people leaving prison.",
         "Children's needs are considered earlier in release planning.", "both"),
    ),
    "health": (
        ("Opened a same-day emergency care unit for children.",
         "Fewer children wait in the main emergency department; safeguarding checks happen at triage.", "children"),
        ("Moved the safeguarding advice line to a single number covering all sites.",
         "Staff get advice faster, and calls are logged consistently.", "both"),
        ("Changed the health visiting model to targeted contacts at 3 to 4 months.",
         "Health visitors see more families where there are concerns, but some universal contacts are now by "
         "video.", "children"),
    ),
    "education": (
        ("Brought in a new safeguarding recording system across all campuses.",
         "Concerns are logged faster and patterns are easier to spot.", "both"),
        ("Extended the wellbeing service to evenings during exam periods.",
         "More students sought help earlier; self-harm disclosures were dealt with the same day.", "both"),
    ),
    "voluntary": (
        ("Closed one drop-in centre and moved the service to outreach.",
         "We reach families in rural areas better, but lost a safe space some young people valued.", "children"),
        ("Started a peer support group run by volunteers with lived experience.",
         "People say they find it easier to talk; concerns are raised earlier.", "both"),
    ),
    "military": (
        ("Opened a new community hub next to the married quarters.",
         "Families have a single place for welfare advice and know who to contact.", "both"),
    ),
    "other": (
        ("Moved to hybrid working with most meetings online.",
         "Partners find us easier to reach, but we need to check home working is safe for confidential calls.",
         "both"),
    ),
}  # fmt: skip

RESTRUCTURES = {
    "local_authority": "Children's social care reorganised into locality teams in {d1}, with a new head of "
    "safeguarding. Caseloads were rebalanced and partners were sent new contact details.",
    "district_council": "The housing and community teams merged under one manager in {d1}. The safeguarding "
    "lead role moved with them; there was a short gap in cover that we filled with a deputy.",
    "police": "The public protection command was restructured in {d1}, bringing child and adult abuse "
    "investigation into one unit. Referral routes for partners are unchanged.",
    "probation": "Case management teams were reorganised by locality in {d1}. Safeguarding leads now cover a "
    "named area and attend the local early help meetings.",
    "health": "The safeguarding team was reorganised into an integrated children's and adults' team in {d1}, "
    "with one head of safeguarding and a single advice line.",
    "education": "Student support and safeguarding were combined into one directorate in {d1}; the designated "
    "lead now reports directly to the principal.",
    "voluntary": "We reduced management posts in {d1} because of funding; the safeguarding lead now also "
    "manages the volunteer programme, and we added a deputy lead.",
    "military": "Welfare posts were reorganised after the unit moved in {d1}; a new community development "
    "officer took on the safeguarding lead role.",
    "other": "The management team was restructured in {d1}; the safeguarding lead now reports to the head of service.",
}

RISKS = (
    ("Children with complex needs wait months for a specialist mental health assessment and are held in "
     "settings that cannot meet their needs.", "high",
     "We escalate each case to the commissioner and hold weekly multi-agency risk meetings."),
    ("Loss of short-term funding for domestic abuse outreach from March 2027 would leave victims without "
     "support.", "high", "We are seeking other funding and have raised it with commissioners."),
    ("Delays in receiving strategy meeting invitations mean we cannot always share information in time.",
     "medium", "We have agreed a shared inbox with the MASH and monitor the delays."),
    ("Vacancies in the safeguarding team reduce our capacity to attend case conferences.", "medium",
     "Posts are being advertised and the deputy lead is covering conferences."),
    ("The number of families in temporary accommodation outside their home district is rising, and children "
     "lose contact with schools and health visitors.", "high",
     "We notify the receiving area and the child's school of every out-of-area placement."),
    ("Young people aged 16 and 17 who are homeless are placed in unsuitable accommodation because of a lack of "
     "supported housing.", "medium", "We use the joint housing protocol and escalate every case to senior managers."),
)  # fmt: skip

EVIDENCE_FILES = (
    (
        "Safeguarding training compliance 2026-27.txt",
        "Safeguarding training compliance, {name}\nReporting period 2026/27 (April to September)\n\n"
        "Level 1 (all staff): {a}%\nLevel 2 (staff in contact with children or adults): {b}%\n"
        "Level 3 (practitioners and managers): {c}%\n\nStaff more than three months overdue are followed up by "
        "their manager. Figures from the learning management system.\n",
    ),
    (
        "Escalation log summary Q1-Q2 2026-27.txt",
        "Escalations raised and received, {name}\nApril to September 2026\n\nRaised: {a}\nReceived: {b}\n"
        "Resolved at stage 1: {c}\n\nMain themes: thresholds for neglect; timeliness of strategy meetings.\n",
    ),
)


# =================================================================================================
# Planning
# =================================================================================================


def _slug(text: str) -> str:
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class _Agency:
    index: int
    name: str
    sector: str
    lead: str
    role: str
    email: str
    phone: str
    services: str
    words: dict[str, str]
    maturity: float
    #: Who completed last year's return if the lead has changed since.
    former_lead: str | None = None
    former_role: str | None = None
    not_applicable: dict[str, str] = field(default_factory=dict)
    stage: str = COMPLETE
    impact_stage: str = COMPLETE


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def _agencies(rng: random.Random, count: int) -> list[_Agency]:
    members = partnership().agencies[:count]
    firsts = rng.sample(FIRST_NAMES, len(FIRST_NAMES))
    lasts = rng.sample(SURNAMES, len(SURNAMES))
    out = []
    extra = count  # index of the next spare name, for former leads
    for i, (name, sector) in enumerate(members):
        words_src = SECTOR_WORDS.get(sector, SECTOR_WORDS["other"])
        words = {key: _pick(rng, opts) for key, opts in words_src.items()}
        for fragment, override in NAME_WORDS.items():
            if fragment in name:
                words.update(override)
        first, last = firsts[i % len(firsts)], lasts[i % len(lasts)]
        lead = f"{first} {last}"
        email = f"{_slug(first)}.{_slug(last).replace('-', '')}@{_slug(name)}.example.org.uk"
        ag = _Agency(
            index=i,
            name=name,
            sector=sector,
            lead=lead,
            role=words["lead_role"],
            email=email,
            phone=f"01865 {rng.randint(200000, 899999)}",
            services=SERVICES.get(name, f"All services of {name} that work with children, adults or families."),
            words=words,
            maturity=min(0.95, max(0.25, MATURITY.get(sector, 0.6) + rng.uniform(-0.15, 0.15))),
        )
        if rng.random() < 0.18:
            ag.former_lead = f"{firsts[extra % len(firsts)]} {lasts[extra % len(lasts)]}"
            ag.former_role = _pick(rng, words_src["lead_role"])
            extra += 1
        ag.not_applicable = {item: reason for frag, item, reason in NOT_APPLICABLE if frag in name}
        out.append(ag)
    _assign_stages(out)
    return out


def _assign_stages(agencies: list[_Agency]) -> None:
    """This year's progress by position: mostly complete, some half done, one or two barely started."""
    n = len(agencies)
    barely = set()
    if n >= 3:
        barely.add(round(n * 0.6))
    if n >= 10:
        barely.add(round(n * 0.85))
    for ag in agencies:
        i = ag.index
        if i in barely:
            ag.stage = BARELY_STARTED
        elif i % 5 in (0, 1, 3):
            ag.stage = COMPLETE
        else:
            ag.stage = HALF_DONE
        if n >= 4 and i % 7 == 4:
            ag.impact_stage = ABSENT
        elif i % 4 == 2 or ag.stage == BARELY_STARTED:
            ag.impact_stage = PARTIAL
        else:
            ag.impact_stage = COMPLETE


LEVEL_ORDER = ("red", "amber", "green", "blue")


def _draw_rating(rng: random.Random, maturity: float, hard: bool) -> str:
    blue = 0.03 + 0.13 * maturity
    red = 0.07 * (1 - maturity) ** 1.5
    amber = (0.03 + 0.2 * (1 - maturity)) * (1.8 if hard else 1.0)
    r = rng.random()
    if r < red:
        return "red"
    if r < red + amber:
        return "amber"
    if r < red + amber + blue:
        return "blue"
    return "green"


def _next_year(rng: random.Random, level: str) -> str:
    """Mostly the same as last year, sometimes better, occasionally worse."""
    if level == "na":
        return level
    i = LEVEL_ORDER.index(level)
    r = rng.random()
    better = 0.2 if level in ("red", "amber") else 0.05  # Blue needs an example to share: rarer
    if r < better and i < 3:
        return LEVEL_ORDER[i + 1]
    if r > 0.96 and i > 0:
        return LEVEL_ORDER[i - 1]
    return level


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class _Period:
    """The months that evidence written for a reporting period can refer to."""

    def __init__(self, period: str, *, in_progress: bool) -> None:
        self.period = period
        self.year = int(period[:4])
        if in_progress:  # this year's return, being written in the autumn
            self.months = [(self.year, m) for m in range(4, 11)]
        else:  # last year's, finished before the deadline at the end of March
            self.months = [(self.year, m) for m in range(4, 13)] + [(self.year + 1, m) for m in (1, 2)]

    def dates(self, rng: random.Random) -> list[str]:
        return [f"{MONTHS[m - 1]} {y}" for y, m in sorted(rng.sample(self.months, 3))]


HISTORY = _Period(HISTORY_PERIOD, in_progress=False)
CURRENT = _Period(CURRENT_PERIOD, in_progress=True)


def _fields(rng: random.Random, ag: _Agency, period: _Period) -> dict[str, Any]:
    d1, d2, d3 = period.dates(rng)
    att_total = rng.randint(8, 12)
    courses = rng.sample(COURSES, 2)
    said, did = YOU_SAID[rng.randrange(len(YOU_SAID))]
    partner, joint = JOINT_WORK[rng.randrange(len(JOINT_WORK))]
    f: dict[str, Any] = dict(ag.words)
    f.update(
        period=period.period,
        y_prev=period.year - 1,
        y_old=period.year - rng.randint(4, 6),
        review_year=period.year + rng.choice((2, 3)),
        d1=d1,
        d2=d2,
        d3=d3,
        pct=rng.randint(86, 99),
        pct2=rng.randint(78, 96),
        pct_hi=rng.randint(94, 99),
        pct_low=rng.randint(52, 76),
        n=WORDS[rng.randint(3, 9)],
        n2=rng.randint(14, 60),
        small=WORDS[rng.randint(1, 3)],
        referrals=_pick(rng, ("one referral", "two referrals")),
        days=rng.randint(2, 5),
        weeks=rng.choice((4, 6, 8)),
        att_total=att_total,
        att=att_total - rng.randint(0, 1),
        att_low=att_total - rng.randint(4, 6),
        subgroups=" and ".join(rng.sample(SUBGROUPS, 2)),
        courses=f"{courses[0]} and {courses[1]}",
        review=_pick(rng, REVIEWS),
        change=_pick(rng, CHANGES),
        shaped=_pick(rng, SHAPED),
        said=said,
        did=did,
        hard_reach=_pick(rng, HARD_REACH),
        places=_pick(rng, PLACES),
        langs=_pick(rng, LANGS),
        audit_topics=" and ".join(rng.sample(AUDIT_TOPICS, 2)),
        partner=partner,
        joint=joint,
        fte=_pick(rng, FTE),
        freq=_pick(rng, FREQ),
    )
    f["plan_cap"] = f["plan"][:1].upper() + f["plan"][1:]
    if ag.sector == "voluntary" and "our" in f["plan"]:
        f["plan_cap"] = "Our" + f["plan"][3:]
    return f


def _fill(template: str, fields: Mapping[str, Any]) -> str:
    text = template.format_map(fields)
    return text[:1].upper() + text[1:]


GENERIC_STATEMENT = Statement(
    (
        "We reviewed this statement against our policies and practice in {d1}; the evidence is held by the "
        "{dsl} and was reported to the {board} in {d2}.",
        "The {dsl} checked this in {d2} as part of our audit programme, and the findings went to the leadership "
        "team with the rest of this return.",
    ),
    "Parts of this are in place, but we cannot yet evidence it across all our services.",
    "Review current practice against this statement and agree what is needed to meet it in full.",
    "dsl",
)
GENERIC_EXAMPLES = (
    ((), "A short case study of this practice, written with the staff involved, was shared at an OSCB learning "
     "event."),
)  # fmt: skip


def _statement(item_id: str) -> Statement:
    """The templates for a statement; generic ones for statements added to a form after these were written."""
    return STATEMENTS.get(item_id, GENERIC_STATEMENT)


def _rating_value(
    rng: random.Random, ag: _Agency, item_id: str, level: str, period: _Period, *, reworded: bool = False
) -> dict[str, str]:
    if level == "na":
        return {"level": "na", "evidence": "", "example": "", "reason": ag.not_applicable[item_id]}
    st = _statement(item_id)
    section = item_id.split(".")[0]
    f = _fields(rng, ag, period)
    if level in ("green", "blue"):
        parts = [_fill(st.evidence[rng.randrange(2)], f)]
        if reworded and item_id in REWORDED_2026:
            parts.append(_fill(REWORDED_2026[item_id], f))
        if section in SECTION_EXTRAS and rng.random() < 0.45:
            parts.append(_fill(_pick(rng, SECTION_EXTRAS[section]), f))
    else:
        parts = [_fill(st.gap, f)]
        note = _pick(rng, RED_NOTES if level == "red" else AMBER_NOTES)
        if note:
            parts.append(note)
    example = ""
    if level == "blue":
        fitting = [text for items, text in EXAMPLES.get(section, ()) if item_id in items]
        fitting = fitting or [text for _, text in GENERIC_EXAMPLES]
        example = _fill(_pick(rng, fitting), f)
    return {"level": level, "evidence": " ".join(parts), "example": example, "reason": ""}


def _month_end(y: int, m: int) -> str:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1).isoformat()


def _action_row(rng: random.Random, ag: _Agency, item_id: str, period: _Period, *, status: str) -> dict[str, str]:
    st = _statement(item_id)
    f = _fields(rng, ag, period)
    # Actions planned in a period fall due in the next one for last year's return, within this one for this year's.
    if period is HISTORY:
        y, m = rng.choice([(2026, m) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12)])
    else:
        y, m = rng.choice([(2026, 12), (2027, 1), (2027, 2), (2027, 3)])
    return {
        "action": _fill(st.action, f),
        "lead": ag.words[st.role],
        "due": _month_end(y, m),
        "status": status,
    }


def _done_action(rng: random.Random, ag: _Agency, item_id: str, period: _Period) -> dict[str, str]:
    """An action finished during the period (it does not carry forward)."""
    row = _action_row(rng, ag, item_id, period, status="complete")
    y, m = period.year, rng.choice((7, 9, 11))
    row["due"] = _month_end(y, m)
    return row


@dataclass
class _Section11Plan:
    levels: dict[str, str]
    answers: dict[str, Any]
    #: For each open action row, the statement it belongs to (to update it next year).
    action_items: dict[str, list[str]]


def _rating_items(form: FormDefinition) -> list[str]:
    return [item.id for item in form.items() if item.type == "rating"]


def _plan_history(rng: random.Random, ag: _Agency, form: FormDefinition) -> _Section11Plan:
    period = HISTORY
    levels: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for item_id in _rating_items(form):
        if item_id in ag.not_applicable:
            levels[item_id] = "na"
        else:
            levels[item_id] = _draw_rating(rng, ag.maturity, _statement(item_id).hard)
        answers[item_id] = _rating_value(rng, ag, item_id, levels[item_id], period)
    action_items: dict[str, list[str]] = {}
    for section in form.sections:
        table = f"{section.id}.actions"
        if not form.has_item(table):
            continue
        low = [i.id for i in section.items if levels.get(i.id) in ("amber", "red")]
        rows = []
        open_items = []
        for item_id in low:
            status = "not_started" if rng.random() < 0.35 else "in_progress"
            rows.append(_action_row(rng, ag, item_id, period, status=status))
            open_items.append(item_id)
        green = [i.id for i in section.items if levels.get(i.id) in ("green", "blue")]
        # Sometimes an action finished during the year is still listed (it will not carry forward).
        if green and (low or rng.random() < 0.12) and rng.random() < 0.4:
            rows.insert(0, _done_action(rng, ag, _pick(rng, green), period))
        if rows:
            answers[table] = rows
            action_items[table] = open_items
    f = _fields(rng, ag, period)
    who, role = (ag.former_lead, ag.former_role) if ag.former_lead else (ag.lead, ag.role)
    answers["about.completed_by"] = f"{who}, {role}"
    answers["about.services"] = ag.services
    if rng.random() < 0.4:
        answers["about.notes"] = _fill(_pick(rng, NOTES), f)
    return _Section11Plan(levels, answers, action_items)


def _plan_current(rng: random.Random, ag: _Agency, form: FormDefinition, history: _Section11Plan) -> dict[str, Any]:
    """The complete 2026/27 return the agency is working towards (it may not have got there yet)."""
    period = CURRENT
    levels: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for item_id in _rating_items(form):
        before = history.levels.get(item_id)
        if item_id in ag.not_applicable:
            levels[item_id] = "na"
            answers[item_id] = history.answers.get(item_id) or _rating_value(rng, ag, item_id, "na", period)
            continue
        if before is None:  # new statement this year: less mature at first
            level = _draw_rating(rng, ag.maturity - 0.15, True)
            answers[item_id] = _rating_value(rng, ag, item_id, level, period)
        else:
            level = _next_year(rng, before)
            if level == before and item_id not in REWORDED_2026 and rng.random() < 0.5:
                answers[item_id] = history.answers[item_id]  # unchanged: to be confirmed as it is
            else:
                answers[item_id] = _rating_value(rng, ag, item_id, level, period, reworded=True)
        levels[item_id] = level
    for section in form.sections:
        table = f"{section.id}.actions"
        if not form.has_item(table):
            continue
        rows = []
        covered = set()
        carried = history.answers.get(table) or []
        carried_open = [r for r in carried if r.get("status") != "complete"]
        for row, item_id in zip(carried_open, history.action_items.get(table, []), strict=True):
            row = dict(row)
            if levels.get(item_id) in ("green", "blue"):
                row["status"] = "complete"
            elif row["status"] == "not_started" or rng.random() < 0.5:
                row["status"] = _pick(rng, ("in_progress", "carried"))
            rows.append(row)
            covered.add(item_id)
        for item in section.items:
            if levels.get(item.id) in ("amber", "red") and item.id not in covered:
                rows.append(_action_row(rng, ag, item.id, period, status=_pick(rng, ("not_started", "in_progress"))))
        if rows:
            answers[table] = rows
    answers["about.completed_by"] = f"{ag.lead}, {ag.role}"
    answers["about.services"] = ag.services
    if "about.notes" in history.answers and rng.random() < 0.5:
        answers["about.notes"] = history.answers["about.notes"]
    elif ag.former_lead:
        answers["about.notes"] = (
            f"{ag.lead} took over as safeguarding lead from {ag.former_lead} during the year; last year's return "
            f"was completed by {ag.former_lead}."
        )
    return answers


def _weighted_ranks(rng: random.Random, weights: Mapping[str, int], k: int = 3) -> list[str]:
    pool = dict(weights)
    out = []
    for _ in range(k):
        cats = list(pool)
        pick = rng.choices(cats, weights=[pool[c] for c in cats])[0]
        out.append(pick)
        del pool[pick]
    return out


def _ranking_ok(rankings: list[list[str]], leaders: Sequence[str], strict: bool) -> bool:
    """The board report's top three come out in order, and the leader is the most common rank 1."""
    if not rankings:
        return True
    mentions = Counter(c for r in rankings for c in r)
    firsts = Counter(r[0] for r in rankings)
    others = [n for c, n in mentions.items() if c not in leaders]
    best_other = max(others, default=0)
    a, b, c = (mentions[x] for x in leaders)
    order = a > b > c > best_other if strict else a >= b >= c >= best_other
    return order and firsts[leaders[0]] >= max(firsts.values())


def _plan_rankings(
    rng: random.Random,
    sectors: list[str],
    base: Mapping[str, int],
    by_sector: Mapping[str, Mapping[str, int]],
    leaders: Sequence[str],
) -> list[list[str]]:
    """Draw each agency's top three, again until the totals across agencies come out as boards report them."""
    rankings: list[list[str]] = []
    for strict in (True, False):  # ties only when there are too few agencies to avoid them
        for _ in range(300):
            rankings = [_weighted_ranks(rng, {**base, **by_sector.get(s, {})}) for s in sectors]
            if _ranking_ok(rankings, leaders, strict):
                return rankings
    return rankings


def _pick_text(rng: random.Random, options: Sequence[Text], sector: str) -> str:
    fitting = [t if isinstance(t, str) else t[1] for t in options if isinstance(t, str) or sector in t[0]]
    return _pick(rng, fitting)


@dataclass
class _ImpactPlan:
    #: Saves in the order the agency made them; a partial assessment stops early.
    steps: list[dict[str, Any]]


def _plan_impact(
    rng: random.Random, ag: _Agency, pressures: list[str], enablers: list[str], low_sections: list[str]
) -> _ImpactPlan:
    period = CURRENT
    f = _fields(rng, ag, period)
    f["rise"] = rng.randint(8, 25)
    ranked_p = [{"category": c, "text": _fill(_pick_text(rng, PRESSURES[c], ag.sector), f)} for c in pressures]
    ranked_e = [{"category": c, "text": _fill(_pick_text(rng, ENABLERS[c], ag.sector), f)} for c in enablers]
    sector_text, themes = IMPROVEMENT_SECTOR.get(ag.sector, IMPROVEMENT_SECTOR["other"])
    if low_sections:
        titles = low_sections[:2]
        joined = " and ".join(f'"{t}"' for t in titles)
        lead_in = f"Our Section 11 self-assessment rated parts of {joined} Amber or Red, and these are priorities."
    else:
        lead_in = "Our Section 11 self-assessment is mostly Green, but there is still work to do."
    improvement = f"{lead_in} {sector_text} Progress is reported to the {ag.words['board']}."
    pool = SERVICE_CHANGES.get(ag.sector, SERVICE_CHANGES["other"])
    changes = []
    for change, impact, affects in rng.sample(pool, rng.randint(1, min(2, len(pool)))):
        y, m = rng.choice([(2025, 10), (2025, 11), (2026, 1), (2026, 2), (2026, 4), (2026, 6), (2026, 9)])
        changes.append({"change": change, "date": date(y, m, 1).isoformat(), "impact": impact, "affects": affects})
    restructure = rng.random() < 0.3
    escalate = rng.random() < 0.3
    low, high = STAFF_TRAINED.get(ag.sector, (50, 500))
    steps: list[dict[str, Any]] = [
        {"impact.pressures": ranked_p},
        {"impact.enablers": ranked_e},
        {
            "impact.improvement_areas": improvement,
            "impact.improvement_themes": [t for t in themes if rng.random() < 0.8] or [themes[0]],
        },
        {
            "impact.service_changes": changes,
            "impact.staff_trained": rng.randint(low, high),
            "impact.restructure": restructure,
            **({"impact.restructure_detail": _fill(RESTRUCTURES.get(ag.sector, RESTRUCTURES["other"]), f)}
               if restructure else {}),
        },
        {
            "impact.escalate": escalate,
            **({"impact.risks": [{"risk": r, "likelihood": lk, "mitigation": mi}
                                 for r, lk, mi in rng.sample(RISKS, rng.randint(1, 2))]} if escalate else {}),
        },
        {"impact.contact_date": date(2026, rng.choice((9, 10, 11)), rng.randint(1, 13)).isoformat()},
    ]  # fmt: skip
    if ag.impact_stage == PARTIAL:
        steps = steps[: rng.randint(1, 3)]
    return _ImpactPlan(steps)


# =================================================================================================
# Writing, through the services
# =================================================================================================


def generate(ws: Workspace, agencies: int = 12, seed: int = 2026, *, sign_all: bool = False) -> DemoSummary:
    """Fill an empty workspace with demo agencies and their returns; see the module docstring.

    With ``sign_all`` every agency completes and signs both of its 2026/27 returns (and some reopen their
    Section 11 return as a new draft version), so that every agency has bundles to export.
    Raises :class:`DemoError` if the workspace already holds agencies or ``agencies`` is out of range.
    """
    members = partnership().agencies
    if not 1 <= agencies <= len(members):
        raise DemoError(f"The demo can create between 1 and {len(members)} agencies, not {agencies}.")
    if agency_service.list_agencies(ws):
        raise DemoError("This workspace already has agencies; demo data can only be added to an empty workspace.")
    rng = random.Random(seed)
    try:  # the newest version for each period, as start_return chooses
        s11_history = next(f for f in ws.forms.for_period(HISTORY_PERIOD) if f.id == SECTION11)
        s11_current = next(f for f in ws.forms.for_period(CURRENT_PERIOD) if f.id == SECTION11)
        next(f for f in ws.forms.for_period(CURRENT_PERIOD) if f.id == IMPACT)
    except StopIteration:
        raise DemoError(
            f"The demo needs the Section 11 forms for {HISTORY_PERIOD} and {CURRENT_PERIOD} and the impact "
            f"assessment for {CURRENT_PERIOD}; check `oscb forms list`."
        ) from None
    people = _agencies(rng, agencies)
    if sign_all:
        for ag in people:
            ag.stage = ag.impact_stage = COMPLETE
    signatories = random.Random(seed + 1)

    # Plan everything first, so that the cross-agency totals can be steered before anything is written.
    histories = [_plan_history(rng, ag, s11_history) for ag in people]
    currents = [_plan_current(rng, ag, s11_current, h) for ag, h in zip(people, histories, strict=True)]
    with_impact = [ag for ag in people if ag.impact_stage != ABSENT]
    sectors = [ag.sector for ag in with_impact]
    pressures = _plan_rankings(
        rng, sectors, PRESSURE_WEIGHTS, PRESSURE_SECTOR_WEIGHTS, ("complex_cases", "demand", "funding")
    )
    enablers = _plan_rankings(
        rng,
        sectors,
        ENABLER_WEIGHTS,
        ENABLER_SECTOR_WEIGHTS,
        ("joint_working", "frank_conversations", "understanding_pressures"),
    )
    impacts: dict[int, _ImpactPlan] = {}
    for ag, p, e in zip(with_impact, pressures, enablers, strict=True):
        cur = currents[ag.index]
        low = [
            s.title
            for s in s11_current.sections
            if any(isinstance(cur.get(i.id), dict) and cur[i.id].get("level") in ("amber", "red") for i in s.items)
        ]
        impacts[ag.index] = _plan_impact(rng, ag, p, e, low)
    evidence_for = [ag.index for ag in with_impact if ag.impact_stage == COMPLETE][:2]

    previous_user = ws.setting("user_name")
    created = 0
    try:
        for ag in people:
            agency_id = _write_agency(ws, rng, ag, histories[ag.index], currents[ag.index], s11_current)
            if ag.index in impacts:
                with_file = evidence_for.index(ag.index) if ag.index in evidence_for else None
                _write_impact(ws, agency_id, ag, impacts[ag.index], with_file)
            _sign(ws, agency_id, ag, signatories, sign_all=sign_all, reopen=sign_all and ag.index % 7 == 3)
            created += 1
    finally:
        ws.set_setting("user_name", previous_user or "")
    rows = returns.list_returns(ws)
    return DemoSummary(
        agencies=created,
        returns=len(rows),
        by_status=dict(Counter(r.status_label for r in rows)),
        agency_names=tuple(ag.name for ag in people),
    )


def _save_in_sections(ws: Workspace, submission_id: str, form: FormDefinition, answers: Mapping[str, Any]) -> None:
    """One save per section, in form order, as someone working through the form would."""
    for section in form.sections:
        batch = {i.id: answers[i.id] for i in section.items if i.id in answers}
        if batch:
            returns.save_answers(ws, submission_id, batch)


def _write_agency(
    ws: Workspace,
    rng: random.Random,
    ag: _Agency,
    history: _Section11Plan,
    current: dict[str, Any],
    form: FormDefinition,
) -> int:
    ws.set_setting("user_name", ag.former_lead or ag.lead)
    agency = agency_service.create_agency(
        ws,
        ag.name,
        sector=ag.sector,
        services=ag.services,
        lead_name=ag.lead,
        lead_email=ag.email,
        lead_phone=ag.phone,
    )
    # Last year's return, complete.
    old = returns.start_return(ws, agency.id, SECTION11, HISTORY_PERIOD, carry_forward=False)
    _save_in_sections(ws, old.id, returns.form_of(ws, old), history.answers)
    _require_complete(ws, old.id, ag, HISTORY_PERIOD)

    # This year's, carried forward and reviewed as far as the agency's stage.
    ws.set_setting("user_name", ag.lead)
    sub = returns.start_return(ws, agency.id, SECTION11, CURRENT_PERIOD, carry_forward=True)
    if ag.stage == BARELY_STARTED:
        return agency.id
    carried = returns.load_answers(ws, sub.id)
    sections = list(form.sections)
    if ag.stage == HALF_DONE:
        sections = sections[: rng.randint(4, max(4, len(sections) - 4))]
    for section in sections:
        changed: dict[str, Any] = {}
        confirm: list[str] = []
        for item in section.items:
            if item.id in current:
                want = current[item.id]
                if item.id in carried and dumps(carried[item.id]) == dumps(want):
                    confirm.append(item.id)
                else:
                    changed[item.id] = want
            elif item.id in carried:
                confirm.append(item.id)  # e.g. an optional note kept as it was
        if changed:
            returns.save_answers(ws, sub.id, changed)
        if confirm:
            returns.confirm_carried(ws, sub.id, confirm)
    if ag.stage == COMPLETE:
        _require_complete(ws, sub.id, ag, CURRENT_PERIOD)
    return agency.id


def _write_impact(ws: Workspace, agency_id: int, ag: _Agency, plan: _ImpactPlan, with_file: int | None) -> None:
    ws.set_setting("user_name", ag.lead)
    sub = returns.start_return(ws, agency_id, IMPACT, CURRENT_PERIOD, carry_forward=True)
    for step in plan.steps:
        returns.save_answers(ws, sub.id, step)
    if with_file is not None:
        name, template = EVIDENCE_FILES[with_file % len(EVIDENCE_FILES)]
        seed = sum(map(ord, ag.name))
        if with_file % len(EVIDENCE_FILES) == 0:  # training compliance, per cent
            a, b, c = 90 + seed % 9, 82 + seed % 13, 75 + seed % 17
        else:  # escalations: a few raised and received, most resolved early
            a, b = 3 + seed % 6, 1 + seed % 4
            c = a + b - seed % 2
        text = template.format(name=ag.name, a=a, b=b, c=c)
        with tempfile.TemporaryDirectory(prefix="oscb-demo-") as tmp:
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            returns.add_evidence(ws, sub.id, "impact.evidence", path)
    if ag.impact_stage == COMPLETE:
        _require_complete(ws, sub.id, ag, CURRENT_PERIOD)


def _sign(ws: Workspace, agency_id: int, ag: _Agency, rng: random.Random, *, sign_all: bool, reopen: bool) -> None:
    """A senior officer's identity; last year's return signed, and this year's complete ones as chosen."""
    person = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, SURNAMES)}"
    role = next(
        (r for word, r in SIGNATORY_BY_NAME if word in ag.name), SIGNATORY_ROLES.get(ag.sector, "Chief Executive")
    )
    row = identities.create(ws, agency_id, person_name=person, role=role, email=None, passphrase=DEMO_PASSPHRASE)
    key = identities.unlock(row, DEMO_PASSPHRASE)
    chosen = [(SECTION11, HISTORY_PERIOD)]
    if sign_all or ag.index % 5 == 0:
        chosen += [(SECTION11, CURRENT_PERIOD), (IMPACT, CURRENT_PERIOD)]
    for form_id, period in chosen:
        sub = returns.current_return(ws, agency_id, form_id, period)
        if sub is None or sub.percent_complete < 100 or returns.problems(ws, sub.id):
            continue
        # Whoever filled the return in clicks "Sign off" with the senior officer beside them.
        ws.set_setting("user_name", (ag.former_lead or ag.lead) if period == HISTORY_PERIOD else ag.lead)
        signoff.sign_off(ws, sub.id, signatory_name=person, signatory_role=role, key=key)
        if reopen and form_id == SECTION11 and period == CURRENT_PERIOD:
            signoff.reopen(ws, sub.id)


def export_signed(ws: Workspace, folder: str | Path) -> list[Path]:
    """Export every signed (or superseded) return as ``<agency>_<form>_<period>_v<N>.oscb`` into ``folder``."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for sub in Submission.select().where(Submission.status.in_(["signed", "superseded"])).order_by(Submission.id):
        path = target / f"{signoff.file_stem(sub)}.oscb"
        signoff.export(ws, sub.id, path, passphrase=DEMO_PASSPHRASE)
        written.append(path)
    return written


def _require_complete(ws: Workspace, submission_id: str, ag: _Agency, period: str) -> None:
    found = returns.problems(ws, submission_id)
    if found:
        detail = "; ".join(f"{p.item_id}: {p.message}" for p in found[:5])
        raise DemoError(f"Demo data for {ag.name} ({period}) is incomplete, which is a bug: {detail}")


def generate_business_unit(ws: Workspace, agencies: int = 15, seed: int = 2026) -> list[Any]:
    """Fill an empty workspace as the Business Unit's: demo agencies sign and export their returns (in a
    temporary agency workspace), the bundles are imported with their certificates confirmed, and a few
    are reviewed and moderated as after a challenge event. Returns the import results."""
    from oscb_desktop.services import imports, review  # the Business Unit's side, only needed here

    if Submission.select().exists() or ws.setting("workspace_role"):
        raise DemoError("Demo data can only be added to an empty workspace.")
    with tempfile.TemporaryDirectory(prefix="oscb-demo-agencies-") as tmp:
        agency_ws = Workspace.open(Path(tmp) / "agencies", forms=ws.forms)
        try:
            agency_ws.bind()
            generate(agency_ws, agencies=agencies, seed=seed, sign_all=True)
            export_signed(agency_ws, Path(tmp) / "bundles")
        finally:
            agency_ws.close()
            ws.bind()
        results = imports.import_paths(ws, [Path(tmp) / "bundles"], trust_new=True)
    rng = random.Random(seed + 2)
    for row in review.list_received(ws, period=CURRENT_PERIOD):
        if row.form_id != SECTION11:
            continue
        roll = rng.random()
        if roll < 0.25:
            review.set_status(
                ws, row.id, "has_issues", "Evidence for the Amber ratings was not attached; asked for it."
            )
            sections = [k.split(".")[0] for k, v in row.answers.items() if isinstance(v, dict) and v.get("level")]
            target = rng.choice(sorted(set(sections)))
            review.set_moderation(
                ws, row.agency_id, row.form_id, row.period, target, level="amber",
                note="Challenge event: the evidence offered does not yet show this is met across all services.",
            )  # fmt: skip
        elif roll < 0.7:
            review.set_status(ws, row.id, "accepted", "Discussed at the challenge event; ratings agreed.")
    return results
