using Chartseal.Tests.Support;

namespace Chartseal.Cli.Tests;

/// <summary>
/// The two procedures a team follows under pressure, run as written in an empty folder, with the output they show
/// checked (<see cref="DocScript.RunAsWrittenAsync"/>): docs/ci-recipe.md (the maintainer packages and signs, CI rebuilds
/// from source, checks against the <c>.prov</c> and publishes, a changed source fails the gate, the index is signed) and
/// docs/incident-runbook.md (a stolen key revoked, what it signed listed and checked against the tagged sources, re-signed
/// with the same archives, the audit clean again), each after the set-up its document gives.
/// </summary>
public sealed class ProcedureDocsTests
{
    [Fact]
    public async Task The_ci_recipe_runs_as_written_and_prints_what_it_shows()
    {
        using var t = new TempDirectory();

        string output = await DocScript.RunAsWrittenAsync(t, "docs/ci-recipe.md", "ci-setup", "ci-recipe");

        // Step 1 (the gate) passes byte for byte too, before step 2 publishes.
        Assert.Contains("Chart Hash Verified: sha256:", output, StringComparison.Ordinal);
        Assert.Equal(2, output.Split("Rebuild gate passed: rebuilt from charts/mysql, identical archive\n").Length - 1);
        string work = t.File("empty");
        // What was published is the maintainer's archive and signature, and the source is as committed again.
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "release/mysql-1.2.3.tgz")), File.ReadAllBytes(Path.Combine(work, "repo/mysql-1.2.3.tgz")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(work, "release/mysql-1.2.3.tgz.prov")), File.ReadAllBytes(Path.Combine(work, "repo/mysql-1.2.3.tgz.prov")));
        Assert.Contains("- mysql-1.2.3.tgz\n", File.ReadAllText(Path.Combine(work, "repo/index.yaml")), StringComparison.Ordinal);
        Assert.DoesNotContain("changed after the release", File.ReadAllText(Path.Combine(work, "charts/mysql/templates/deploy.yaml")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(work, "repo/snapshot.yaml.asc")));
    }

    [Fact]
    public async Task The_incident_runbook_runs_as_written_and_prints_what_it_shows()
    {
        using var t = new TempDirectory();

        string output = await DocScript.RunAsWrittenAsync(t, "docs/incident-runbook.md", "runbook-rehearsal", "runbook");

        string work = t.File("empty");
        // Jane's two versions were listed, checked against their tagged sources, and re-signed.
        Assert.Equal("hello-1.0.0.tgz\nhello-0.1.0.tgz\n", File.ReadAllText(Path.Combine(work, "to-resign.txt")));
        Assert.Equal(2, output.Split("Rebuild gate passed: rebuilt from src/charts/hello, identical archive\n").Length - 1);
        foreach (string version in (string[])["0.1.0", "0.2.0", "0.3.0", "1.0.0", "1.1.0", "1.2.0"])
        {
            // Every published archive is still the one released (so every digest holds); only Jane's .prov files changed,
            // and the refused re-signature by her key left Ann's in place.
            string released = Path.Combine(work, $"release/hello-{version}.tgz"), published = Path.Combine(work, $"repo/hello-{version}.tgz");
            Assert.Equal(File.ReadAllBytes(released), File.ReadAllBytes(published));
            bool resigned = version is "0.1.0" or "1.0.0";
            Assert.Equal(!resigned, File.ReadAllBytes(released + ".prov").SequenceEqual(File.ReadAllBytes(published + ".prov")));
        }
        Assert.False(File.Exists(Path.Combine(work, "repo/hello-2.0.0.tgz.prov")));
    }
}
