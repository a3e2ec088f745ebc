"""Fidelity test: the official Python client (onecodex 1.2.0) against the local server.

It lists samples with filters, gets and updates one, uploads a paired FASTQ through boto3 to the
local S3 endpoint (AWS_ENDPOINT_URL_S3), reads classification results and builds to_df — as it
would against the hosted service.

Run: tests/python/run.sh   (creates the virtualenv if needed and builds the server if needed)
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "0123456789abcdef0123456789abcdef"


def _server_binary():
    env = os.environ.get("ONECODEX_SERVER_BIN")
    if env:
        return env
    # The same build as `npm run server` (scripts/server.mjs), rebuilt when stale.
    out = subprocess.run(
        ["node", "--input-type=module", "-e",
         'const m = await import("./scripts/server.mjs"); console.log(m.serverBinary({ quiet: true }));'],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server():
    proc = subprocess.Popen(
        [_server_binary(), "--port", "0", "--s3-port", "0", "--samples", "40", "--classify-delay-ms", "500"],
        stdout=subprocess.PIPE,
        text=True,
    )
    info = {}
    for line in proc.stdout:
        key, _, value = line.strip().partition(": ")
        info[key] = value
        if key == "data":
            break
    assert "api" in info and "s3" in info, info
    yield info
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


@pytest.fixture(scope="module")
def ocx(server, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    os.environ["HOME"] = str(home)  # no ~/.onecodex, no ~/.aws
    os.environ["ONE_CODEX_NO_TELEMETRY"] = "1"
    os.environ["AWS_ENDPOINT_URL_S3"] = server["s3"]
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        os.environ.pop(k, None)
    from onecodex import Api

    return Api(base_url=server["api"], api_key=API_KEY, telemetry=False)


def test_list_with_filters(ocx):
    everything = ocx.Samples.all()
    assert len(everything) == 40
    fastq = ocx.Samples.where(filename={"$iendswith": ".fastq.gz"})
    assert 0 < len(fastq) < 40
    assert all(s.filename.lower().endswith(".fastq.gz") for s in fastq)
    big = ocx.Samples.where(size={"$gte": 10_000_000}, sort=["size"])
    sizes = [s.size for s in big]
    assert sizes == sorted(sizes, reverse=True)
    assert all(x >= 10_000_000 for x in sizes)
    limited = ocx.Samples.where(limit=7)
    assert len(limited) == 7
    # Metadata join (1.2.0): a metadata field goes through /metadata first.
    miseq = ocx.Samples.where(platform="Illumina MiSeq")
    for s in miseq:
        assert s.metadata.platform == "Illumina MiSeq"
    public = ocx.Samples.where(public=True, limit=5)
    assert all(s.visibility == "public" for s in public)
    projects = ocx.Projects.all()
    assert len(projects) >= 1
    tag = ocx.Tags.all()[0]
    tagged = ocx.Samples.where(tags=[tag])
    assert all(tag.id in [t.id for t in s.tags] for s in tagged)


def test_get_and_update(ocx):
    sample = ocx.Samples.all()[0]
    again = ocx.Samples.get(sample.id)
    assert again.id == sample.id and again.filename == sample.filename
    assert ocx.Samples.get("0000000000000000") is None
    tag = ocx.Tags.all()[1]
    again.tags = [tag]
    again.save()
    meta = again.metadata
    meta.name = "renamed by the Python client"
    meta.save()
    fresh = ocx.Samples.get(sample.id)
    assert [t.id for t in fresh.tags] == [tag.id]
    assert fresh.metadata.name == "renamed by the Python client"


def test_upload_paired_fastq(ocx, tmp_path):
    r1 = tmp_path / "reads_R1.fastq"
    r2 = tmp_path / "reads_R2.fastq"
    r1.write_text("@r1/1\nACGTACGT\n+\nIIIIIIII\n" * 50)
    r2.write_text("@r1/2\nTGCATGCA\n+\nIIIIIIII\n" * 50)
    sample = ocx.Samples.upload(
        (str(r1), str(r2)), metadata={"sampleType": "Metagenomic"}, tags=[{"name": "python-upload"}]
    )
    assert sample is not None
    assert sample.filename == "reads_R1.fastq"
    assert sample.size == r1.stat().st_size + r2.stat().st_size
    assert sample.metadata.sample_type == "Metagenomic"
    assert [t.name for t in sample.tags] == ["python-upload"]
    # The classification completes after --classify-delay-ms and has results.
    cls = sample.primary_classification
    deadline = time.time() + 10
    while not cls.complete and time.time() < deadline:
        time.sleep(0.3)
        cls = ocx.Classifications.get(cls.id)
    assert cls.complete and cls.success
    assert len(cls.results()["table"]) >= 2000


def test_classification_results_and_to_df(ocx):
    samples = ocx.Samples.where(limit=6)
    cls = samples[0].primary_classification
    res = cls.results()
    assert res["n_reads"] > 0 and len(res["table"]) >= 2000
    df = samples.to_df(rank="genus")
    assert df.shape[0] >= 1 and df.shape[1] >= 10
    rows = df.sum(axis=1)
    # Relative abundances: each row sums to at most 1 (0 for a sample without abundance estimates).
    assert (rows <= 1.0 + 1e-6).all() and (rows > 0.5).any()
    df2 = samples.to_df(rank="species", metric="readcount_w_children")
    assert (df2.values >= 0).all()


def test_upload_multipart_through_boto3(ocx, tmp_path):
    # Over boto3's 8 MiB threshold: CreateMultipartUpload, UploadPart x2, CompleteMultipartUpload.
    big = tmp_path / "big_sample.fastq"
    record = "@read\n" + "ACGT" * 50 + "\n+\n" + "I" * 200 + "\n"
    with open(big, "w") as f:
        while f.tell() < 11 * 1024 * 1024:
            f.write(record * 1000)
    sample = ocx.Samples.upload(str(big))
    assert sample.size == big.stat().st_size


def test_every_model_parses(ocx, server):
    """Every resource the server lists validates against the 1.2.0 client's models."""
    for model in ("Users", "Projects", "Tags", "Jobs", "Documents", "Assets", "Analyses",
                  "Classifications", "Alignments", "FunctionalProfiles", "Panels", "Mlsts", "Workflows", "Metadata"):
        items = getattr(ocx, model).where(limit=50)
        assert len(items) >= 1, model
        again = getattr(ocx, model).get(items[0].id)
        assert again is not None, model
    assert ocx.Projects.where(public=True)
    job = ocx.Jobs.where(name="One Codex Database")[0]
    assert job.analysis_type == "classification"
    fp = ocx.FunctionalProfiles.where(limit=1)[0]
    assert fp.results()["table"]
    assert ocx.Mlsts.where(limit=1)[0].results()["mlstResults"]
    assert ocx.Workflows.where(limit=1)[0].results()["workflowResults"]
    from onecodex import Api

    exp = Api(base_url=server["api"], api_key=API_KEY, telemetry=False, experimental=True)
    for model in ("Genomes", "Assemblies", "AnnotationSets", "Taxa"):
        items = getattr(exp, model).where(limit=30)
        assert len(items) >= 1, model


def test_downloads_logs_files_and_functional_tables(ocx, tmp_path):
    doc = ocx.Documents.all()[0]
    path = doc.download(path=str(tmp_path / "doc.pdf"))
    assert os.path.getsize(path) == doc.size
    small = ocx.Samples.where(sort=["^size"], limit=1)[0]
    out = small.download(path=str(tmp_path / "sample.fastq"))
    assert os.path.getsize(out) == small.size
    wf = ocx.Workflows.where(limit=1)[0]
    assert len(wf.logs(tail=4).strip().splitlines()) == 4
    files = wf.get_files()
    assert files
    got = wf.download_file(files[0].filepath, out_path=str(tmp_path / "f.out"))
    assert os.path.getsize(got) == files[0].size
    fp = ocx.FunctionalProfiles.where(limit=1)[0]
    table = fp.table(annotation="pathways", metric="abundance", taxa_stratified=False)
    assert len(table) > 0
    df = ocx.Samples.where(limit=20).to_functional_df(annotation="go", metric="cpm")
    assert df.shape[0] >= 1
