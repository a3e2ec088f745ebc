//! The one catalogue of the API's resources: where each collection lives, how it paginates, which
//! listing routes it has, whether it needs the experimental header, what it allows (update, delete,
//! the analysis endpoints) and which fields it can be filtered on.
//!
//! [`for_each_resource!`] holds the list. Everything else that lists resources is derived from it:
//! [`RESOURCES`] here, the filter fields and their TypeScript (`query::fields`), the model checks
//! (`models`), and in the wasm crate the resource classes, the client's getters and the filter
//! builders. A new resource is one row here (plus its model type).

use crate::error::{Error, Result};
use crate::objects::changes::ChangeField;

/// Calls `$callback! { rows }` with one row per resource, in the order the client lists them:
///
/// ```text
/// path_name Stem {
///     js: getter "getterName", class: JsClassName, model: ModelType, filter: FilterTypeName,
///     pagination: Page | Cursor, public: bool, organization: bool, experimental: bool,
///     analysis: bool, delete: bool, download: bool, results: [Table] or [Json "ResultsTsType"] or [],
///     update: [CHANGES_TABLE "ChangesTsType"] or [],
///     fields: { field: Kind, ... },
/// }
/// ```
///
/// `Stem` names the TypeScript filter types (`<Stem>Where`, `<Stem>Fields`), `filter` the type of
/// its filter builder (`where.samples`); `analysis` marks the
/// analysis collections (logs, files, polling, cancel); `download` the resources whose objects
/// have a file behind them (`POST …/download_uri`); `results` says how an analysis's results come
/// (`Table`: parsed into a table by the tables module; `Json`: the results JSON, of that type);
/// `update` names the table of fields a PATCH
/// may change (in `objects::changes`) and its TypeScript type; `fields` are the filterable fields
/// and their kinds (`query::fields::FieldKind`).
#[macro_export]
macro_rules! for_each_resource {
    ($callback:ident) => {
        $callback! {
            samples Samples {
                js: samples "samples", class: SamplesApi, model: Sample, filter: SamplesFilter,
                pagination: Cursor, public: true, organization: true, experimental: false,
                analysis: false, delete: true, download: true, results: [],
                update: [SAMPLE_CHANGES "SampleChanges"],
                fields: {
                    created_at: Datetime, updated_at: Datetime, filename: Str, error_msg: Str, status: EnumStr,
                    visibility: EnumStr, size: Num, metadata: Ref, owner: Ref, project: Ref, tags: RefList,
                    tax_ids: TaxIds,
                    // Metadata fields, joined through /metadata.
                    date_collected: Datetime, date_sequenced: Datetime, description: Str, external_sample_id: Str,
                    location_string: Str, name: Str, library_type: EnumStr, platform: EnumStr,
                    sample_type: EnumStr, location_lat: Num, location_lon: Num, starred: Bool,
                },
            }
            metadata Metadata {
                js: metadata "metadata", class: MetadataApi, model: Metadata, filter: MetadataFilter,
                pagination: Cursor, public: false, organization: false, experimental: false,
                analysis: false, delete: false, download: false, results: [],
                update: [METADATA_CHANGES "MetadataChanges"],
                fields: {
                    updated_at: Datetime, date_collected: Datetime, date_sequenced: Datetime, description: Str,
                    external_sample_id: Str, location_string: Str, name: Str, library_type: EnumStr,
                    platform: EnumStr, sample_type: EnumStr, location_lat: Num, location_lon: Num, starred: Bool,
                    sample: Ref,
                },
            }
            users Users {
                js: users "users", class: UsersApi, model: User, filter: UsersFilter,
                pagination: Page, public: false, organization: false, experimental: false,
                analysis: false, delete: false, download: false, results: [],
                update: [],
                fields: { email: EqStr },
            }
            projects Projects {
                js: projects "projects", class: ProjectsApi, model: Project, filter: ProjectsFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: false, delete: true, download: false, results: [],
                update: [],
                fields: { name: Str, project_name: Str, description: Str, external_id: Str, owner: Ref },
            }
            tags Tags {
                js: tags "tags", class: TagsApi, model: Tag, filter: TagsFilter,
                pagination: Page, public: false, organization: false, experimental: false,
                analysis: false, delete: false, download: false, results: [],
                update: [],
                fields: { name: Str },
            }
            jobs Jobs {
                js: jobs "jobs", class: JobsApi, model: Job, filter: JobsFilter,
                pagination: Page, public: false, organization: false, experimental: false,
                analysis: false, delete: false, download: false, results: [],
                update: [JOB_CHANGES "JobChanges"],
                fields: { created_at: Datetime, name: Str, analysis_type: Str, public: Bool },
            }
            documents Documents {
                js: documents "documents", class: DocumentsApi, model: Document, filter: DocumentsFilter,
                pagination: Page, public: false, organization: false, experimental: false,
                analysis: false, delete: true, download: true, results: [],
                update: [],
                fields: { created_at: Datetime, filename: Str, size: Num, uploader: Ref },
            }
            assets Assets {
                js: assets "assets", class: AssetsApi, model: Asset, filter: AssetsFilter,
                pagination: Page, public: false, organization: false, experimental: false,
                analysis: false, delete: true, download: true, results: [],
                update: [ASSET_CHANGES "AssetChanges"],
                fields: { created_at: Datetime, name: Str, filename: Str, size: Num, status: EnumStr, uploader: Ref },
            }
            analyses Analyses {
                js: analyses "analyses", class: AnalysesApi, model: Analysis, filter: AnalysesFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, analysis_type: Str, job: Ref, sample: Ref,
                },
            }
            classifications Classifications {
                js: classifications "classifications", class: ClassificationsApi, model: Analysis, filter: ClassificationsFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [Table],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, job: Ref, sample: Ref,
                },
            }
            alignments Alignments {
                js: alignments "alignments", class: AlignmentsApi, model: Analysis, filter: AlignmentsFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, job: Ref, sample: Ref,
                },
            }
            functional_profiles FunctionalProfiles {
                js: functional_profiles "functionalProfiles", class: FunctionalProfilesApi, model: Analysis, filter: FunctionalProfilesFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [Table],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, job: Ref, sample: Ref,
                },
            }
            panels Panels {
                js: panels "panels", class: PanelsApi, model: Analysis, filter: PanelsFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [Json "PanelResults"],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, job: Ref, sample: Ref,
                },
            }
            mlsts Mlsts {
                js: mlsts "mlsts", class: MlstsApi, model: Analysis, filter: MlstsFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [Json "MlstResults"],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, job: Ref, sample: Ref,
                },
            }
            workflows Workflows {
                js: workflows "workflows", class: WorkflowsApi, model: Analysis, filter: WorkflowsFilter,
                pagination: Page, public: true, organization: false, experimental: false,
                analysis: true, delete: false, download: false, results: [Json "WorkflowResults"],
                update: [],
                fields: {
                    created_at: Datetime, updated_at: Datetime, complete: Bool, draft: Bool, success: Bool,
                    error_msg: Str, job: Ref, sample: Ref,
                },
            }
            annotation_sets AnnotationSets {
                js: annotation_sets "annotationSets", class: AnnotationSetsApi, model: AnnotationSet, filter: AnnotationSetsFilter,
                pagination: Page, public: false, organization: false, experimental: true,
                analysis: false, delete: false, download: true, results: [],
                update: [],
                fields: { created_at: Datetime, assembly: Ref, job: Ref },
            }
            assemblies Assemblies {
                js: assemblies "assemblies", class: AssembliesApi, model: Assembly, filter: AssembliesFilter,
                pagination: Cursor, public: false, organization: false, experimental: true,
                analysis: false, delete: false, download: true, results: [],
                update: [],
                fields: {
                    created_at: Datetime, filename: Str, size: Num, visibility: EnumStr, owner: Ref, genome: Ref,
                    job: Ref,
                },
            }
            genomes Genomes {
                js: genomes "genomes", class: GenomesApi, model: Genome, filter: GenomesFilter,
                pagination: Cursor, public: false, organization: false, experimental: true,
                analysis: false, delete: false, download: false, results: [],
                update: [],
                fields: { created_at: Datetime, name: Str, description: Str, taxon: Ref },
            }
            taxa Taxa {
                js: taxa "taxa", class: TaxaApi, model: Taxon, filter: TaxaFilter,
                pagination: Page, public: false, organization: false, experimental: true,
                analysis: false, delete: false, download: false, results: [],
                update: [],
                fields: { created_at: Datetime, name: Str, taxon_id: Str, rank: Str, parent: Ref },
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pagination {
    Page,
    Cursor,
}

#[derive(Debug, Clone, Copy)]
pub struct Resource {
    /// The name used in the path and in messages, e.g. `samples`, `functional_profiles`.
    pub name: &'static str,
    pub pagination: Pagination,
    pub has_public: bool,
    pub has_organization: bool,
    pub experimental: bool,
    /// An analysis collection: logs, output files, polling and cancellation apply.
    pub is_analysis: bool,
    pub deletable: bool,
    /// Its objects have a file behind them (`POST …/download_uri`).
    pub downloadable: bool,
    /// The fields a PATCH may change, where the resource can be updated.
    pub changes: Option<&'static [ChangeField]>,
}

impl PartialEq for Resource {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Resource {}

impl Resource {
    pub fn path(&self) -> String {
        format!("/api/v1/{}", self.name)
    }

    pub fn by_name(name: &str) -> Result<&'static Resource> {
        RESOURCES.iter().find(|r| r.name == name).ok_or_else(|| {
            let known: Vec<&str> = RESOURCES.iter().map(|r| r.name).collect();
            Error::invalid_argument(format!("unknown resource '{name}' (known: {})", known.join(", ")))
        })
    }
}

/// `Some(x)` for `[x]`, `None` for `[]` (the optional entries of a catalogue row).
#[doc(hidden)]
#[macro_export]
macro_rules! __catalogue_option {
    () => {
        None
    };
    ($($some:tt)+) => {
        Some($($some)+)
    };
}

/// Expands its block when a catalogue flag is `true` (for the callbacks of [`for_each_resource!`]).
#[doc(hidden)]
#[macro_export]
macro_rules! if_flag {
    (true { $($t:tt)* }) => { $($t)* };
    (false { $($t:tt)* }) => {};
}

/// The concatenated strings when a catalogue flag is `true`, else "" (inside `concat!`).
#[doc(hidden)]
#[macro_export]
macro_rules! if_flag_str {
    (true { $($t:tt)* }) => { concat!($($t)*) };
    (false { $($t:tt)* }) => { "" };
}

macro_rules! resource_table {
    ($( $name:ident $stem:ident {
        js: $getter:ident $js:literal, class: $class:ident, model: $model:ident, filter: $filter:ident,
        pagination: $pagination:ident, public: $public:tt, organization: $organization:tt, experimental: $experimental:tt,
        analysis: $analysis:tt, delete: $delete:tt, download: $download:tt, results: [$($results:tt)*],
        update: [$($changes:ident $changes_ts:literal)?],
        fields: { $($fields:tt)* } $(,)?
    } )*) => {
        /// Every resource, in the order of the catalogue.
        pub const RESOURCES: &[Resource] = &[ $(
            Resource {
                name: stringify!($name),
                pagination: Pagination::$pagination,
                has_public: $public,
                has_organization: $organization,
                experimental: $experimental,
                is_analysis: $analysis,
                deletable: $delete,
                downloadable: $download,
                changes: $crate::__catalogue_option!($(crate::objects::changes::$changes)?),
            },
        )* ];
    };
}

for_each_resource!(resource_table);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_collections_follow_1_2_0() {
        let cursor: Vec<&str> =
            RESOURCES.iter().filter(|r| r.pagination == Pagination::Cursor).map(|r| r.name).collect();
        assert_eq!(cursor, ["samples", "metadata", "assemblies", "genomes"]);
    }

    #[test]
    fn unknown_resource_is_invalid_argument() {
        let e = Resource::by_name("sample").unwrap_err();
        assert!(e.message.contains("unknown resource 'sample'"));
        assert_eq!(Resource::by_name("taxa").unwrap().path(), "/api/v1/taxa");
    }

    #[test]
    fn capabilities_come_from_the_catalogue() {
        let names =
            |f: fn(&Resource) -> bool| -> Vec<&str> { RESOURCES.iter().filter(|r| f(r)).map(|r| r.name).collect() };
        assert_eq!(names(|r| r.deletable), ["samples", "projects", "documents", "assets"]);
        assert_eq!(names(|r| r.downloadable), ["samples", "documents", "assets", "annotation_sets", "assemblies"]);
        assert_eq!(names(|r| r.changes.is_some()), ["samples", "metadata", "jobs", "assets"]);
        assert_eq!(
            names(|r| r.is_analysis),
            ["analyses", "classifications", "alignments", "functional_profiles", "panels", "mlsts", "workflows"]
        );
        assert_eq!(names(|r| r.experimental), ["annotation_sets", "assemblies", "genomes", "taxa"]);
    }
}
