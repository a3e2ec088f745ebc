//! Resource schemas: fields, their kinds (which decide the filter operators they take),
//! PATCH whitelists, routes and pagination style (API_SPEC §3, §4.4, §16).

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Free text: equality, `$in`, substring/prefix/suffix operators.
    Str,
    /// Enum-backed text: `$eq $ne $in` only (§16.1.2).
    Enum,
    /// Equality only (users.email).
    EqOnly,
    Num,
    Bool,
    Date,
    /// To-one reference to the named collection; stored as the bare id (or null).
    Ref(&'static str),
    /// To-many references; stored as an array of bare ids.
    RefList(&'static str),
    /// Opaque JSON (custom, permissions, cost…).
    Json,
}

#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub filter: bool,
}

const fn f(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, filter: true }
}
/// A field that is rendered but cannot be filtered on.
const fn nf(name: &'static str, kind: Kind) -> Field {
    Field { name, kind, filter: false }
}

pub struct Schema {
    pub coll: &'static str,
    pub fields: &'static [Field],
    pub patch: &'static [&'static str],
    pub cursor: bool,
    pub public_route: bool,
    pub org_route: bool,
    pub deletable: bool,
    pub experimental: bool,
    /// Server-computed `results_uri` (pre-signed) on render.
    pub results_uri: bool,
}

impl Schema {
    pub fn pos(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
    pub fn is_analysis(&self) -> bool {
        ANALYSIS_TYPES.iter().any(|(c, _)| *c == self.coll)
    }
}

use Kind::*;

const ANALYSIS_FIELDS: [Field; 10] = [
    f("created_at", Date),
    f("updated_at", Date),
    f("complete", Bool),
    f("success", Bool),
    f("error_msg", Str),
    f("job", Ref("jobs")),
    f("sample", Ref("samples")),
    nf("cost", Json),
    f("draft", Bool),
    nf("dependencies", RefList("analyses")),
];

macro_rules! analysis_fields {
    ($($extra:expr),*) => {
        &[ANALYSIS_FIELDS[0], ANALYSIS_FIELDS[1], ANALYSIS_FIELDS[2], ANALYSIS_FIELDS[3], ANALYSIS_FIELDS[4],
          ANALYSIS_FIELDS[5], ANALYSIS_FIELDS[6], ANALYSIS_FIELDS[7], ANALYSIS_FIELDS[8], ANALYSIS_FIELDS[9], $($extra),*]
    };
}

const fn schema(coll: &'static str, fields: &'static [Field]) -> Schema {
    Schema {
        coll,
        fields,
        patch: &[],
        cursor: false,
        public_route: false,
        org_route: false,
        deletable: false,
        experimental: false,
        results_uri: false,
    }
}

pub static SAMPLES: Schema = Schema {
    patch: &["project", "tags", "visibility"],
    cursor: true,
    public_route: true,
    org_route: true,
    deletable: true,
    ..schema(
        "samples",
        &[
            f("created_at", Date),
            f("updated_at", Date),
            f("filename", Str),
            f("size", Num),
            f("status", Enum),
            f("visibility", Enum),
            f("error_msg", Str),
            f("metadata", Ref("metadata")),
            f("owner", Ref("users")),
            nf("primary_classification", Ref("classifications")),
            f("project", Ref("projects")),
            f("tags", RefList("tags")),
        ],
    )
};

pub static METADATA: Schema = Schema {
    patch: &[
        "custom",
        "date_collected",
        "date_sequenced",
        "description",
        "external_sample_id",
        "library_type",
        "location_lat",
        "location_lon",
        "location_string",
        "name",
        "platform",
        "sample_type",
        "starred",
    ],
    cursor: true,
    ..schema(
        "metadata",
        &[
            f("sample", Ref("samples")),
            f("starred", Bool),
            f("updated_at", Date),
            nf("custom", Json),
            f("date_collected", Date),
            f("date_sequenced", Date),
            f("description", Str),
            f("external_sample_id", Str),
            f("library_type", Enum),
            f("location_lat", Num),
            f("location_lon", Num),
            f("location_string", Str),
            f("name", Str),
            f("platform", Enum),
            f("sample_type", Enum),
        ],
    )
};

pub static USERS: Schema = schema("users", &[f("email", EqOnly), nf("username", Str)]);

pub static PROJECTS: Schema = Schema {
    public_route: true,
    deletable: true,
    ..schema(
        "projects",
        &[
            f("name", Str),
            f("project_name", Str),
            f("description", Str),
            f("external_id", Str),
            f("owner", Ref("users")),
            nf("permissions", Json),
            f("public", Bool),
        ],
    )
};

pub static TAGS: Schema = schema("tags", &[f("name", Str)]);

pub static JOBS: Schema = Schema {
    patch: &[
        "name",
        "script",
        "image_uri",
        "job_type",
        "description",
        "cpu",
        "ram_gb",
        "storage_gb",
        "inject_bearer_token",
        "repository",
        "assets",
        "dependencies",
        "arguments_schema",
        "nextflow_version",
        "autorun_on_org_sample_upload",
    ],
    ..schema(
        "jobs",
        &[
            f("created_at", Date),
            f("name", Str),
            f("analysis_type", Str),
            f("public", Bool),
            nf("job_args_schema", Json),
            nf("job_type", Str),
            f("draft", Bool),
        ],
    )
};

pub static DOCUMENTS: Schema = Schema {
    deletable: true,
    ..schema(
        "documents",
        &[
            f("created_at", Date),
            f("filename", Str),
            f("size", Num),
            f("uploader", Ref("users")),
            nf("downloaders", RefList("users")),
            nf("description", Str),
            nf("downloads_remaining", Num),
            nf("valid_until", Date),
        ],
    )
};

pub static ASSETS: Schema = Schema {
    patch: &["name"],
    deletable: true,
    ..schema(
        "assets",
        &[
            f("created_at", Date),
            f("name", Str),
            f("filename", Str),
            f("size", Num),
            f("status", Enum),
            f("uploader", Ref("users")),
        ],
    )
};

pub static CLASSIFICATIONS: Schema =
    Schema { public_route: true, results_uri: true, ..schema("classifications", analysis_fields!()) };
pub static ALIGNMENTS: Schema =
    Schema { public_route: true, ..schema("alignments", analysis_fields!(f("tax_id", Str))) };
pub static FUNCTIONAL_PROFILES: Schema =
    Schema { public_route: true, results_uri: true, ..schema("functional_profiles", analysis_fields!()) };
pub static PANELS: Schema = Schema { public_route: true, ..schema("panels", analysis_fields!()) };
pub static MLSTS: Schema = Schema { public_route: true, ..schema("mlsts", analysis_fields!()) };
pub static WORKFLOWS: Schema = Schema { public_route: true, ..schema("workflows", analysis_fields!()) };
/// The generic `/analyses` view over every analysis collection (adds `analysis_type`).
pub static ANALYSES: Schema =
    Schema { public_route: true, ..schema("analyses", analysis_fields!(f("analysis_type", Str))) };

pub static ANNOTATION_SETS: Schema = Schema {
    experimental: true,
    ..schema("annotation_sets", &[f("created_at", Date), f("assembly", Ref("assemblies")), f("job", Ref("jobs"))])
};
pub static ASSEMBLIES: Schema = Schema {
    experimental: true,
    cursor: true,
    ..schema(
        "assemblies",
        &[
            f("created_at", Date),
            f("filename", Str),
            f("genome", Ref("genomes")),
            nf("input_samples", RefList("samples")),
            f("job", Ref("jobs")),
            f("owner", Ref("users")),
            f("primary_annotation_set", Ref("annotation_sets")),
            f("size", Num),
            f("visibility", Enum),
        ],
    )
};
pub static GENOMES: Schema = Schema {
    experimental: true,
    cursor: true,
    ..schema(
        "genomes",
        &[
            f("created_at", Date),
            nf("assemblies", RefList("assemblies")),
            f("description", Str),
            f("name", Str),
            f("primary_assembly", Ref("assemblies")),
            f("tags", RefList("tags")),
            f("taxon", Ref("taxa")),
        ],
    )
};
pub static TAXA: Schema = Schema {
    experimental: true,
    ..schema(
        "taxa",
        &[f("created_at", Date), f("name", Str), f("taxon_id", Str), f("rank", Str), f("parent", Ref("taxa"))],
    )
};

/// Analysis collections and their `analysis_type`.
pub const ANALYSIS_TYPES: [(&str, &str); 6] = [
    ("classifications", "classification"),
    ("alignments", "alignment"),
    ("functional_profiles", "functional"),
    ("panels", "panel"),
    ("mlsts", "typing"),
    ("workflows", "workflow"),
];

pub static ALL: [&Schema; 19] = [
    &SAMPLES,
    &METADATA,
    &USERS,
    &PROJECTS,
    &TAGS,
    &JOBS,
    &DOCUMENTS,
    &ASSETS,
    &CLASSIFICATIONS,
    &ALIGNMENTS,
    &FUNCTIONAL_PROFILES,
    &PANELS,
    &MLSTS,
    &WORKFLOWS,
    &ANALYSES,
    &ANNOTATION_SETS,
    &ASSEMBLIES,
    &GENOMES,
    &TAXA,
];

pub fn schema_of(coll: &str) -> Option<&'static Schema> {
    ALL.iter().copied().find(|s| s.coll == coll)
}

/// Filter-only keys that are not object fields (§16.1.3).
pub fn filter_only(coll: &str, name: &str) -> bool {
    coll == "samples" && name == "tax_ids"
}

pub const SAMPLE_STATUSES: [&str; 3] = ["available", "importing", "failed"];
pub const VISIBILITIES: [&str; 3] = ["private", "public", "awaiting data"];
pub const PLATFORMS: [&str; 6] = [
    "Illumina HiSeq",
    "Illumina MiSeq",
    "Illumina NovaSeq 6000",
    "Illumina NextSeq",
    "Oxford Nanopore MinION",
    "PacBio Sequel",
];
pub const LIBRARY_TYPES: [&str; 4] = ["WGS", "Amplicon", "RNA-Seq", "Other"];
pub const SAMPLE_TYPES: [&str; 4] = ["Metagenomic", "Isolate", "Metatranscriptomic", "Other"];
pub const ASSET_STATUSES: [&str; 3] = ["available", "importing", "failed"];

/// Allowed values of enum-backed fields (used to validate PATCH bodies).
pub fn enum_values(coll: &str, field: &str) -> Option<&'static [&'static str]> {
    match (coll, field) {
        ("samples", "status") => Some(&SAMPLE_STATUSES),
        ("samples", "visibility") | ("assemblies", "visibility") => Some(&VISIBILITIES),
        ("metadata", "platform") => Some(&PLATFORMS),
        ("metadata", "library_type") => Some(&LIBRARY_TYPES),
        ("metadata", "sample_type") => Some(&SAMPLE_TYPES),
        ("assets", "status") => Some(&ASSET_STATUSES),
        _ => None,
    }
}
