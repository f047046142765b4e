//! Synthetic directory data, deterministic by seed: Practitioners shaped exactly as seed 000's
//! sample (Healthcode extensions), Locations at real UK postcode district centroids,
//! PractitionerRoles (about three per practitioner) and Schedules. Used by the tests, the
//! benchmarks and `practice-fhir generate`.

use serde_json::{json, Value};

const HC: &str = "https://ref.api.healthcode.co.uk";

/// A small, fast, deterministic PRNG (SplitMix64): the same seed always gives the same data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One element of a non-empty slice (the first when empty would be impossible).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// `n` decimal digits.
    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }

    /// `n` uppercase letters.
    pub fn letters(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'A' + self.below(26) as u8))
            .collect()
    }
}

/// Family names (with a few accented and hyphenated ones, to exercise folding).
pub const FAMILY_NAMES: &[&str] = &[
    "Clinton",
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shah",
    "Murphy",
    "Miller",
    "Cox",
    "Khan",
    "Ali",
    "Singh",
    "Begum",
    "Chowdhury",
    "Nguyen",
    "O'Brien",
    "O'Connor",
    "McDonald",
    "Fitzgerald",
    "Smith-Jones",
    "Brontë",
    "Müller",
    "Núñez",
    "Zoë-Hart",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Kowalski",
    "Nowak",
    "Rossi",
    "Ferreira",
    "Papadopoulos",
    "Chen",
    "Wang",
    "Kumar",
];

/// Given names for male practitioners.
pub const MALE_GIVEN: &[&str] = &[
    "Warren",
    "James",
    "John",
    "Robert",
    "Michael",
    "David",
    "William",
    "Richard",
    "Thomas",
    "Mark",
    "Paul",
    "Andrew",
    "Peter",
    "Stephen",
    "Christopher",
    "Daniel",
    "Matthew",
    "Simon",
    "Jonathan",
    "Nicholas",
    "Oliver",
    "Harry",
    "George",
    "Jack",
    "Rajesh",
    "Mohammed",
    "Ahmed",
    "Chinedu",
    "Kwame",
    "Luca",
    "Mateo",
    "René",
    "José",
    "Ciarán",
    "Seán",
];

/// Given names for female practitioners.
pub const FEMALE_GIVEN: &[&str] = &[
    "Sarah",
    "Emma",
    "Claire",
    "Rachel",
    "Helen",
    "Catherine",
    "Elizabeth",
    "Anna",
    "Laura",
    "Rebecca",
    "Joanna",
    "Victoria",
    "Charlotte",
    "Sophie",
    "Olivia",
    "Amelia",
    "Isla",
    "Emily",
    "Priya",
    "Aisha",
    "Fatima",
    "Ngozi",
    "Amara",
    "Mei",
    "Zoë",
    "Chloé",
    "Renée",
    "Siobhán",
    "Aoife",
    "Niamh",
    "Gráinne",
    "Margaret",
    "Susan",
    "Louise",
];

/// `(code, display)` of a coded value.
pub type Code = (&'static str, &'static str);

/// A specialty with its subspecialties.
pub type Specialty = (Code, &'static [Code]);

/// A profession: code, regulator, specialties (seed 000's codes plus plausible ones).
pub struct Profession {
    /// Healthcode profession code and display.
    pub code: Code,
    /// Regulatory body code and display.
    pub regulator: Code,
    /// Specialties practised.
    pub specialties: &'static [Specialty],
}

const ORTHO_SUBS: &[Code] = &[
    ("0000L", "Hip"),
    ("0000K", "Knee"),
    ("0000M", "Spine"),
    ("0000S", "Shoulder"),
    ("0000H", "Hand & Wrist"),
    ("0000F", "Foot & Ankle"),
];
const GENSURG_SUBS: &[Code] = &[
    ("0000B", "Breast"),
    ("0000C", "Colorectal"),
    ("0000U", "Upper GI"),
    ("0000E", "Endocrine"),
];
const CARDIO_SUBS: &[Code] = &[("0000R", "Electrophysiology"), ("0000I", "Interventional")];
const NO_SUBS: &[Code] = &[];

/// The professions the generator draws from.
pub const PROFESSIONS: &[Profession] = &[
    Profession {
        code: ("00U", "Surgeon"),
        regulator: ("GMC", "General Medical Council"),
        specialties: &[
            (("0003A", "Trauma & Orthopaedics"), ORTHO_SUBS),
            (("0001A", "General Surgery"), GENSURG_SUBS),
            (("0002A", "Urology"), NO_SUBS),
            (("0004A", "Ear, Nose & Throat"), NO_SUBS),
            (("0005A", "Ophthalmology"), NO_SUBS),
            (("0009A", "Plastic Surgery"), NO_SUBS),
        ],
    },
    Profession {
        code: ("00P", "Physician"),
        regulator: ("GMC", "General Medical Council"),
        specialties: &[
            (("0006A", "Cardiology"), CARDIO_SUBS),
            (("0007A", "Dermatology"), NO_SUBS),
            (("0008A", "Gastroenterology"), NO_SUBS),
            (("0010A", "Rheumatology"), NO_SUBS),
            (("0011A", "Endocrinology"), NO_SUBS),
        ],
    },
    Profession {
        code: ("00G", "General Practitioner"),
        regulator: ("GMC", "General Medical Council"),
        specialties: &[(("0012A", "General Practice"), NO_SUBS)],
    },
    Profession {
        code: ("00A", "Anaesthetist"),
        regulator: ("GMC", "General Medical Council"),
        specialties: &[
            (("0013A", "Anaesthesia"), NO_SUBS),
            (("0014A", "Pain Management"), NO_SUBS),
        ],
    },
    Profession {
        code: ("00N", "Nurse"),
        regulator: ("NMC", "Nursing and Midwifery Council"),
        specialties: &[(("0015A", "Nurse Practitioner"), NO_SUBS)],
    },
    Profession {
        code: ("00H", "Physiotherapist"),
        regulator: ("HCPC", "Health and Care Professions Council"),
        specialties: &[(("0016A", "Physiotherapy"), NO_SUBS)],
    },
    Profession {
        code: ("00M", "Pharmacist"),
        regulator: ("GPhC", "General Pharmaceutical Council"),
        specialties: &[(("0017A", "Pharmacy"), NO_SUBS)],
    },
];

const FALLBACK_PROFESSION: Profession = Profession {
    code: ("00G", "General Practitioner"),
    regulator: ("GMC", "General Medical Council"),
    specialties: &[(("0012A", "General Practice"), NO_SUBS)],
};

/// Insurers (seed 000 has `nuh` = Aviva).
pub const INSURERS: &[Code] = &[
    ("nuh", "Aviva"),
    ("bup", "Bupa"),
    ("axa", "AXA Health"),
    ("vit", "Vitality"),
    ("wpa", "WPA"),
    ("cig", "Cigna"),
    ("sim", "Simplyhealth"),
    ("frs", "Freedom Health"),
];

/// Recognition statuses.
pub const RECOGNITION: &[Code] = &[
    ("Y", "Recognised"),
    ("N", "Not Recognised"),
    ("P", "Pending"),
];

/// Ages-treated codes (seed 000: C0 0-3 Years, C1 4-12 Years).
pub const AGES_TREATED: &[Code] = &[
    ("C0", "0-3 Years"),
    ("C1", "4-12 Years"),
    ("C2", "13-17 Years"),
    ("A0", "18-64 Years"),
    ("A1", "65+ Years"),
];

/// UK postcode districts with their approximate centroids (lat, lon) and post town.
pub const DISTRICTS: &[(&str, f64, f64, &str)] = &[
    ("W1H", 51.516, -0.160, "London"),
    ("W1G", 51.520, -0.148, "London"),
    ("W1K", 51.511, -0.151, "London"),
    ("W1J", 51.507, -0.144, "London"),
    ("W1T", 51.521, -0.136, "London"),
    ("W1U", 51.518, -0.153, "London"),
    ("W2", 51.514, -0.180, "London"),
    ("W4", 51.492, -0.262, "London"),
    ("W5", 51.511, -0.302, "London"),
    ("W6", 51.493, -0.226, "London"),
    ("W8", 51.500, -0.193, "London"),
    ("W11", 51.513, -0.205, "London"),
    ("W14", 51.495, -0.209, "London"),
    ("SW1A", 51.502, -0.140, "London"),
    ("SW1X", 51.497, -0.156, "London"),
    ("SW3", 51.490, -0.167, "London"),
    ("SW6", 51.474, -0.199, "London"),
    ("SW7", 51.495, -0.176, "London"),
    ("SW10", 51.484, -0.183, "London"),
    ("SW11", 51.465, -0.163, "London"),
    ("SW15", 51.459, -0.222, "London"),
    ("SW17", 51.429, -0.166, "London"),
    ("SW19", 51.421, -0.205, "London"),
    ("SE1", 51.499, -0.092, "London"),
    ("SE5", 51.474, -0.091, "London"),
    ("SE10", 51.482, -0.004, "London"),
    ("SE13", 51.458, -0.010, "London"),
    ("SE22", 51.452, -0.070, "London"),
    ("EC1A", 51.518, -0.099, "London"),
    ("EC1V", 51.527, -0.099, "London"),
    ("EC2A", 51.523, -0.081, "London"),
    ("EC4M", 51.514, -0.100, "London"),
    ("WC1N", 51.522, -0.120, "London"),
    ("WC2H", 51.513, -0.128, "London"),
    ("NW1", 51.532, -0.143, "London"),
    ("NW3", 51.553, -0.170, "London"),
    ("NW8", 51.532, -0.172, "London"),
    ("NW11", 51.577, -0.196, "London"),
    ("N1", 51.537, -0.097, "London"),
    ("N6", 51.571, -0.146, "London"),
    ("N10", 51.592, -0.144, "London"),
    ("N16", 51.562, -0.074, "London"),
    ("E1", 51.517, -0.059, "London"),
    ("E14", 51.505, -0.018, "London"),
    ("E17", 51.586, -0.018, "London"),
    ("E20", 51.544, -0.013, "London"),
    ("BR1", 51.409, 0.021, "Bromley"),
    ("CR0", 51.374, -0.088, "Croydon"),
    ("HA1", 51.581, -0.338, "Harrow"),
    ("KT2", 51.416, -0.287, "Kingston upon Thames"),
    ("TW9", 51.466, -0.295, "Richmond"),
    ("UB8", 51.543, -0.478, "Uxbridge"),
    ("EN2", 51.657, -0.085, "Enfield"),
    ("IG1", 51.560, 0.075, "Ilford"),
    ("RM1", 51.577, 0.183, "Romford"),
    ("DA1", 51.447, 0.214, "Dartford"),
    ("SM1", 51.364, -0.191, "Sutton"),
    ("GU1", 51.242, -0.575, "Guildford"),
    ("GU14", 51.291, -0.760, "Farnborough"),
    ("RH1", 51.236, -0.174, "Redhill"),
    ("RH10", 51.114, -0.166, "Crawley"),
    ("BN1", 50.834, -0.139, "Brighton"),
    ("BN3", 50.832, -0.172, "Hove"),
    ("BN21", 50.770, 0.280, "Eastbourne"),
    ("TN1", 51.133, 0.264, "Tunbridge Wells"),
    ("ME14", 51.279, 0.535, "Maidstone"),
    ("CT1", 51.278, 1.080, "Canterbury"),
    ("CT20", 51.081, 1.168, "Folkestone"),
    ("SO15", 50.912, -1.420, "Southampton"),
    ("SO23", 51.063, -1.313, "Winchester"),
    ("PO1", 50.799, -1.090, "Portsmouth"),
    ("PO19", 50.836, -0.780, "Chichester"),
    ("BH1", 50.724, -1.861, "Bournemouth"),
    ("BH13", 50.710, -1.930, "Poole"),
    ("RG1", 51.454, -0.973, "Reading"),
    ("RG14", 51.401, -1.323, "Newbury"),
    ("SL4", 51.481, -0.613, "Windsor"),
    ("OX1", 51.750, -1.258, "Oxford"),
    ("OX3", 51.760, -1.215, "Oxford"),
    ("MK9", 52.041, -0.756, "Milton Keynes"),
    ("HP20", 51.818, -0.810, "Aylesbury"),
    ("AL1", 51.751, -0.333, "St Albans"),
    ("WD17", 51.657, -0.400, "Watford"),
    ("SG1", 51.903, -0.196, "Stevenage"),
    ("LU1", 51.877, -0.418, "Luton"),
    ("CB2", 52.190, 0.130, "Cambridge"),
    ("CB1", 52.199, 0.141, "Cambridge"),
    ("PE1", 52.577, -0.237, "Peterborough"),
    ("NR1", 52.625, 1.300, "Norwich"),
    ("NR4", 52.617, 1.240, "Norwich"),
    ("IP1", 52.063, 1.145, "Ipswich"),
    ("CO1", 51.889, 0.904, "Colchester"),
    ("CM1", 51.735, 0.470, "Chelmsford"),
    ("SS1", 51.538, 0.720, "Southend-on-Sea"),
    ("BS1", 51.453, -2.593, "Bristol"),
    ("BS8", 51.459, -2.615, "Bristol"),
    ("BA1", 51.387, -2.361, "Bath"),
    ("GL1", 51.862, -2.244, "Gloucester"),
    ("GL50", 51.899, -2.078, "Cheltenham"),
    ("SN1", 51.558, -1.782, "Swindon"),
    ("SP1", 51.070, -1.794, "Salisbury"),
    ("EX1", 50.724, -3.518, "Exeter"),
    ("EX2", 50.711, -3.520, "Exeter"),
    ("PL1", 50.370, -4.143, "Plymouth"),
    ("PL6", 50.414, -4.118, "Plymouth"),
    ("TQ1", 50.467, -3.522, "Torquay"),
    ("TR1", 50.263, -5.051, "Truro"),
    ("TA1", 51.015, -3.101, "Taunton"),
    ("DT1", 50.715, -2.437, "Dorchester"),
    ("B1", 52.479, -1.907, "Birmingham"),
    ("B15", 52.463, -1.925, "Birmingham"),
    ("B91", 52.413, -1.778, "Solihull"),
    ("CV1", 52.408, -1.510, "Coventry"),
    ("CV32", 52.292, -1.535, "Leamington Spa"),
    ("WV1", 52.586, -2.128, "Wolverhampton"),
    ("WR1", 52.193, -2.220, "Worcester"),
    ("HR1", 52.057, -2.715, "Hereford"),
    ("ST4", 53.003, -2.180, "Stoke-on-Trent"),
    ("SY1", 52.711, -2.752, "Shrewsbury"),
    ("DE1", 52.922, -1.477, "Derby"),
    ("NG1", 52.954, -1.150, "Nottingham"),
    ("NG7", 52.951, -1.183, "Nottingham"),
    ("NG10", 52.899, -1.269, "Long Eaton"),
    ("LE1", 52.636, -1.133, "Leicester"),
    ("LE5", 52.638, -1.085, "Leicester"),
    ("NN1", 52.238, -0.895, "Northampton"),
    ("LN1", 53.232, -0.545, "Lincoln"),
    ("M1", 53.479, -2.238, "Manchester"),
    ("M13", 53.461, -2.226, "Manchester"),
    ("M20", 53.421, -2.230, "Manchester"),
    ("M22", 53.385, -2.260, "Manchester"),
    ("SK8", 53.385, -2.231, "Cheadle"),
    ("WA14", 53.387, -2.352, "Altrincham"),
    ("BL1", 53.581, -2.435, "Bolton"),
    ("OL1", 53.543, -2.113, "Oldham"),
    ("PR1", 53.758, -2.701, "Preston"),
    ("BB2", 53.740, -2.495, "Blackburn"),
    ("FY1", 53.817, -3.050, "Blackpool"),
    ("LA1", 54.047, -2.800, "Lancaster"),
    ("L1", 53.403, -2.980, "Liverpool"),
    ("L18", 53.377, -2.904, "Liverpool"),
    ("CH1", 53.190, -2.890, "Chester"),
    ("CH41", 53.393, -3.021, "Birkenhead"),
    ("WN1", 53.548, -2.632, "Wigan"),
    ("LS1", 53.797, -1.548, "Leeds"),
    ("LS6", 53.819, -1.575, "Leeds"),
    ("LS16", 53.855, -1.600, "Leeds"),
    ("BD1", 53.795, -1.752, "Bradford"),
    ("HG1", 53.993, -1.537, "Harrogate"),
    ("HD1", 53.646, -1.783, "Huddersfield"),
    ("HX1", 53.722, -1.863, "Halifax"),
    ("WF1", 53.683, -1.497, "Wakefield"),
    ("S1", 53.381, -1.470, "Sheffield"),
    ("S10", 53.377, -1.512, "Sheffield"),
    ("S11", 53.363, -1.502, "Sheffield"),
    ("DN1", 53.523, -1.133, "Doncaster"),
    ("HU1", 53.744, -0.335, "Hull"),
    ("YO1", 53.960, -1.082, "York"),
    ("YO31", 53.971, -1.074, "York"),
    ("TS1", 54.574, -1.235, "Middlesbrough"),
    ("DL1", 54.527, -1.552, "Darlington"),
    ("DH1", 54.776, -1.575, "Durham"),
    ("NE1", 54.973, -1.613, "Newcastle upon Tyne"),
    ("NE2", 54.987, -1.604, "Newcastle upon Tyne"),
    ("SR1", 54.906, -1.381, "Sunderland"),
    ("CA1", 54.893, -2.932, "Carlisle"),
    ("LA9", 54.328, -2.746, "Kendal"),
    ("CF10", 51.478, -3.177, "Cardiff"),
    ("CF14", 51.510, -3.203, "Cardiff"),
    ("SA1", 51.620, -3.943, "Swansea"),
    ("NP20", 51.588, -2.998, "Newport"),
    ("LL57", 53.227, -4.129, "Bangor"),
    ("SY23", 52.415, -4.083, "Aberystwyth"),
    ("EH1", 55.952, -3.190, "Edinburgh"),
    ("EH3", 55.950, -3.205, "Edinburgh"),
    ("EH16", 55.921, -3.139, "Edinburgh"),
    ("G1", 55.861, -4.250, "Glasgow"),
    ("G12", 55.880, -4.295, "Glasgow"),
    ("G51", 55.862, -4.340, "Glasgow"),
    ("AB10", 57.143, -2.105, "Aberdeen"),
    ("AB25", 57.153, -2.120, "Aberdeen"),
    ("DD1", 56.462, -2.970, "Dundee"),
    ("IV2", 57.474, -4.200, "Inverness"),
    ("KW15", 58.981, -2.960, "Kirkwall"),
    ("ZE1", 60.154, -1.149, "Lerwick"),
    ("PA1", 55.846, -4.424, "Paisley"),
    ("KY16", 56.340, -2.795, "St Andrews"),
    ("FK8", 56.119, -3.937, "Stirling"),
    ("PH1", 56.397, -3.437, "Perth"),
    ("BT1", 54.600, -5.928, "Belfast"),
    ("BT9", 54.578, -5.945, "Belfast"),
    ("BT48", 54.998, -7.320, "Londonderry"),
    ("JE2", 49.187, -2.105, "Jersey"),
    ("GY1", 49.456, -2.537, "Guernsey"),
    ("IM1", 54.151, -4.480, "Douglas"),
    ("TR21", 49.914, -6.311, "Isles of Scilly"),
];

fn coding(kind: &str, code: Code) -> Value {
    json!({"coding": [{"system": format!("{HC}/{kind}"), "code": code.0, "display": code.1}]})
}

fn coded_ext(id: &str, code: Code) -> Value {
    json!({"id": id, "url": format!("{HC}/extension/{id}"), "valueCodeableConcept": coding(id, code)})
}

/// One profession entry of a practitioner.
#[derive(Debug, Clone)]
pub struct ProfessionEntry {
    /// Profession code.
    pub profession: Code,
    /// Specialty code.
    pub specialty: Option<Code>,
    /// Subspecialty code.
    pub subspecialty: Option<Code>,
}

/// One insurer entry of a practitioner.
#[derive(Debug, Clone)]
pub struct InsurerEntry {
    /// Insurer code.
    pub insurer: Code,
    /// Provider number assigned by the insurer.
    pub provider_number: String,
    /// Recognition status.
    pub status: Code,
}

/// Everything that varies between generated practitioners.
#[derive(Debug, Clone)]
pub struct PractitionerSpec {
    /// Resource id.
    pub id: String,
    /// Title (`Mr`, `Dr`…).
    pub prefix: String,
    /// Family name.
    pub family: String,
    /// Given names.
    pub given: Vec<String>,
    /// AdministrativeGender code.
    pub gender: String,
    /// Profession entries.
    pub professions: Vec<ProfessionEntry>,
    /// Insurer entries.
    pub insurers: Vec<InsurerEntry>,
    /// Regulatory body and reference (`GMC`, `1234567`).
    pub regulator: (Code, String),
    /// UK Core identifiers `(system, value)`.
    pub identifiers: Vec<(String, String)>,
    /// Practice address postcode.
    pub postcode: String,
    /// Post town.
    pub town: String,
    /// Online booking flag (Healthcode extension).
    pub online_booking: bool,
    /// `meta.lastUpdated`.
    pub last_updated: String,
}

impl PractitionerSpec {
    /// The Practitioner resource, shaped as seed 000's sample.
    pub fn to_json(&self) -> Value {
        let mut ext = vec![
            json!({"id": "indemnityStatus", "url": format!("{HC}/extension/indemnityStatus"), "valueString": "N"}),
            json!({"id": "isOnlineBookingAvailable", "url": format!("{HC}/extension/onlineBookingStatus"), "valueBoolean": self.online_booking}),
        ];
        for p in &self.professions {
            let mut sub = vec![coded_ext("profession", p.profession)];
            if let Some(s) = p.specialty {
                sub.push(coded_ext("specialty", s));
            }
            if let Some(s) = p.subspecialty {
                sub.push(coded_ext("subspecialty", s));
            }
            ext.push(json!({"id": "profession", "url": format!("{HC}/extension/profession"), "extension": sub}));
        }
        ext.push(json!({"id": "registrationnumbers", "url": format!("{HC}/extension/registrationnumbers"), "extension": [
            coded_ext("regulatorybody", self.regulator.0),
            {"id": "regulatorreference", "url": format!("{HC}/extension/regulatorreference"), "valueString": self.regulator.1},
        ]}));
        for i in &self.insurers {
            ext.push(json!({"id": "insurers", "url": format!("{HC}/extension/insurers"), "extension": [
                coded_ext("insurer", i.insurer),
                {"id": "insurerprovidercode", "url": format!("{HC}/extension/insurerprovidercode"), "valueString": i.provider_number},
                coded_ext("recognitionstatus", i.status),
            ]}));
        }
        let identifiers: Vec<Value> = self
            .identifiers
            .iter()
            .map(|(s, v)| json!({"system": s, "value": v}))
            .collect();
        let email = format!(
            "{}.{}@example.org",
            self.given.first().map_or("", String::as_str),
            self.family
        )
        .replace([' ', '\''], "");
        json!({
            "resourceType": "Practitioner",
            "id": self.id,
            "meta": {"versionId": "1", "lastUpdated": self.last_updated},
            "extension": ext,
            "identifier": identifiers,
            "name": [{"use": "official", "family": self.family, "given": self.given, "prefix": [self.prefix]}],
            "telecom": [
                {"id": "phone", "system": "phone", "use": "work", "value": "020 7946 0000"},
                {"id": "email", "system": "email", "use": "work", "value": email}
            ],
            "address": [{"type": "postal", "line": ["Consulting Rooms"], "city": self.town, "postalCode": self.postcode}],
            "gender": self.gender,
        })
    }
}

/// A Location at a point with a postcode.
pub fn location_json(
    id: &str,
    name: &str,
    postcode: &str,
    town: &str,
    lat: f64,
    lon: f64,
    last_updated: &str,
) -> Value {
    json!({
        "resourceType": "Location",
        "id": id,
        "meta": {"versionId": "1", "lastUpdated": last_updated},
        "status": "active",
        "name": name,
        "address": {"line": [name], "city": town, "postalCode": postcode, "country": "GB"},
        "position": {"longitude": lon, "latitude": lat},
    })
}

/// A PractitionerRole in seed 000's shape.
pub fn role_json(
    id: &str,
    practitioner: (&str, &str),
    location: (&str, &str),
    specialty: Option<Code>,
    subspecialty: Option<Code>,
    ages: &[Code],
    last_updated: &str,
) -> Value {
    let ext: Vec<Value> = ages.iter().map(|a| coded_ext("agestreated", *a)).collect();
    let no_ext = ext.is_empty();
    let mut codings = Vec::new();
    if let Some(s) = specialty {
        codings.push(coding("specialty", s));
    }
    if let Some(s) = subspecialty {
        codings.push(coding("subspecialty", s));
    }
    let mut role = json!({
        "resourceType": "PractitionerRole",
        "id": id,
        "meta": {"versionId": "1", "lastUpdated": last_updated},
        "extension": ext,
        "practitioner": {"reference": format!("Practitioner/{}", practitioner.0), "display": practitioner.1},
        "location": [{"reference": format!("Location/{}", location.0), "display": location.1}],
    });
    if let Value::Object(m) = &mut role {
        // FHIR allows no empty arrays: a role treating no listed ages has no extension.
        if no_ext {
            m.remove("extension");
        }
        if !codings.is_empty() {
            m.insert("specialty".into(), Value::Array(codings));
        }
    }
    role
}

/// A Schedule for a practitioner with a planning horizon.
pub fn schedule_json(
    id: &str,
    practitioner: &str,
    start: &str,
    end: &str,
    last_updated: &str,
) -> Value {
    json!({
        "resourceType": "Schedule",
        "id": id,
        "meta": {"versionId": "1", "lastUpdated": last_updated},
        "active": true,
        "actor": [{"reference": format!("Practitioner/{practitioner}")}],
        "planningHorizon": {"start": start, "end": end},
    })
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SynthSpec {
    /// Number of practitioners.
    pub practitioners: usize,
    /// PRNG seed.
    pub seed: u64,
}

fn timestamp(rng: &mut Rng, year: u32) -> String {
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    )
}

/// A generated practitioner's spec (identifiers match the UK Core patterns of its regulator).
pub fn practitioner_spec(rng: &mut Rng, index: usize) -> PractitionerSpec {
    let female = rng.chance(48);
    let gender = if female {
        "female"
    } else if rng.chance(2) {
        "other"
    } else {
        "male"
    };
    let given_pool = if female { FEMALE_GIVEN } else { MALE_GIVEN };
    let family = rng
        .pick(FAMILY_NAMES)
        .copied()
        .unwrap_or("Smith")
        .to_owned();
    let mut given = vec![rng.pick(given_pool).copied().unwrap_or("Sam").to_owned()];
    if rng.chance(25) {
        given.push(rng.pick(given_pool).copied().unwrap_or("Sam").to_owned());
    }
    let profession = PROFESSIONS
        .get(rng.below(PROFESSIONS.len()))
        .unwrap_or(&FALLBACK_PROFESSION);
    let mut professions = Vec::new();
    let entries = if profession.specialties.len() > 1 && rng.chance(30) {
        2
    } else {
        1
    };
    for _ in 0..entries {
        let (spec, subs) = rng
            .pick(profession.specialties)
            .copied()
            .unwrap_or((("0012A", "General Practice"), NO_SUBS));
        professions.push(ProfessionEntry {
            profession: profession.code,
            specialty: Some(spec),
            subspecialty: rng.pick(subs).copied(),
        });
    }
    let mut insurers = Vec::new();
    let mut used = Vec::new();
    for _ in 0..rng.below(4) {
        let insurer = rng.pick(INSURERS).copied().unwrap_or(("bup", "Bupa"));
        if used.contains(&insurer.0) {
            continue;
        }
        used.push(insurer.0);
        let status = if rng.chance(75) {
            ("Y", "Recognised")
        } else {
            *rng.pick(RECOGNITION).unwrap_or(&("N", "Not Recognised"))
        };
        insurers.push(InsurerEntry {
            insurer,
            provider_number: rng.digits(9),
            status,
        });
    }
    let uk = "https://fhir.hl7.org.uk/Id";
    let mut identifiers = Vec::new();
    let reference = match profession.regulator.0 {
        "GMC" => {
            let number = rng.digits(7);
            identifiers.push((format!("{uk}/gmc-number"), format!("C{number}")));
            if profession.code.0 == "00G" {
                let second = ["0", "1", "2", "3", "4", "5", "8", "9"];
                let d = rng.pick(&second).copied().unwrap_or("1");
                identifiers.push((format!("{uk}/gmp-number"), format!("G{d}{}", rng.digits(6))));
                identifiers.push((format!("{uk}/din-number"), rng.digits(6)));
            }
            number
        }
        "NMC" => {
            let v = format!(
                "{}{}{}{}",
                rng.digits(2),
                rng.letters(1),
                rng.digits(4),
                rng.letters(1)
            );
            identifiers.push((format!("{uk}/nmc-number"), v.clone()));
            v
        }
        "HCPC" => {
            let v = format!("PH{}", rng.digits(6));
            identifiers.push((format!("{uk}/hcpc-number"), v.clone()));
            v
        }
        _ => {
            let v = rng.digits(7);
            identifiers.push((format!("{uk}/gphc-number"), v.clone()));
            v
        }
    };
    let (district, _, _, town) = DISTRICTS
        .get(rng.below(DISTRICTS.len()))
        .copied()
        .unwrap_or(("W1H", 51.516, -0.160, "London"));
    let prefix = match (profession.regulator.0, profession.code.0, female) {
        ("GMC", "00U", false) => "Mr",
        ("GMC", "00U", true) => "Ms",
        ("GMC", _, _) => "Dr",
        (_, _, true) => "Ms",
        _ => "Mr",
    };
    PractitionerSpec {
        id: format!("SP{:07}", index + 1),
        prefix: prefix.into(),
        family,
        given,
        gender: gender.into(),
        professions,
        insurers,
        regulator: (profession.regulator, reference),
        identifiers,
        postcode: format!("{district} {}{}", rng.below(10), rng.letters(2)),
        town: town.into(),
        online_booking: false,
        last_updated: timestamp(rng, 2025),
    }
}

/// Generates the data set, calling `emit` with each resource: all Locations first, then
/// for each practitioner its Practitioner, Schedule (if any) and PractitionerRoles. Streaming
/// keeps 100k practitioners (~450k resources) out of memory.
pub fn generate(spec: SynthSpec, mut emit: impl FnMut(Value)) {
    let mut rng = Rng::new(spec.seed);
    let location_count = (spec.practitioners / 10).max(20);
    let mut locations: Vec<(String, String)> = Vec::with_capacity(location_count);
    for i in 0..location_count {
        let (district, lat, lon, town) = DISTRICTS
            .get(rng.below(DISTRICTS.len()))
            .copied()
            .unwrap_or(("W1H", 51.516, -0.160, "London"));
        // Spread around the centroid (about ±2 km) so distances differ.
        let lat = lat + (rng.unit() - 0.5) * 0.036;
        let lon = lon + (rng.unit() - 0.5) * 0.058;
        let kind = ["Hospital", "Clinic", "Consulting Rooms", "Medical Centre"];
        let name = format!(
            "{town} {} {}",
            rng.pick(&kind).copied().unwrap_or("Clinic"),
            i + 1
        );
        let id = format!("HP{:06}", i + 1);
        let postcode = format!("{district} {}{}", rng.below(10), rng.letters(2));
        emit(location_json(
            &id,
            &name,
            &postcode,
            town,
            (lat * 1e6).round() / 1e6,
            (lon * 1e6).round() / 1e6,
            &timestamp(&mut rng, 2024),
        ));
        locations.push((id, name));
    }
    let mut role_no = 0usize;
    for i in 0..spec.practitioners {
        let mut p = practitioner_spec(&mut rng, i);
        let schedule = if rng.chance(45) {
            // Most horizons run into the future; some have lapsed.
            let future = rng.chance(80);
            let end_year = if future { 2027 + rng.below(2) } else { 2025 };
            p.online_booking = future;
            Some(format!(
                "{end_year}-{:02}-{:02}",
                1 + rng.below(12),
                1 + rng.below(28)
            ))
        } else {
            None
        };
        let display = format!(
            "{} {} {}",
            p.prefix,
            p.given.first().map_or("", String::as_str),
            p.family
        );
        emit(p.to_json());
        if let Some(end) = schedule {
            emit(schedule_json(
                &format!("SC{:07}", i + 1),
                &p.id,
                "2025-01-01",
                &end,
                &p.last_updated,
            ));
        }
        let roles = 1 + rng.below(5);
        for _ in 0..roles {
            role_no += 1;
            let (loc_id, loc_name) = locations
                .get(rng.below(locations.len()))
                .cloned()
                .unwrap_or_default();
            let entry = p.professions.first();
            let mut ages: Vec<Code> = Vec::new();
            for a in AGES_TREATED {
                if rng.chance(40) {
                    ages.push(*a);
                }
            }
            emit(role_json(
                &format!("PR{:08}", role_no),
                (&p.id, &display),
                (&loc_id, &loc_name),
                entry.and_then(|e| e.specialty),
                entry.and_then(|e| e.subspecialty),
                &ages,
                &p.last_updated,
            ));
        }
    }
}
