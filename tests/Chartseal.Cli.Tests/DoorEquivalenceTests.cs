using System.Net.Http.Headers;
using System.Text.Json;
using Chartseal.Charts;
using Chartseal.Keys;
using Chartseal.Repository;
using Chartseal.Tests.Charts;
using Chartseal.Tests.Support;
using Chartseal.Tests.Trust;

namespace Chartseal.Cli.Tests;

/// <summary>
/// One verdict whatever the door: the same bad inputs are sent through <c>verify --repo</c>, <c>publish</c>, the server's
/// upload, <c>pull</c>, <c>audit</c> and the server's <c>POST /api/prov</c>, all real processes, and every door that can
/// see a fault names it with the same reason. A door that cannot see a fault (there is no index at <c>verify</c>, no
/// rebuild source at an upload) is left out of that row, never given a different answer.
/// </summary>
public sealed class DoorEquivalenceTests(DoorEquivalenceTests.World world) : IClassFixture<DoorEquivalenceTests.World>
{
    /// <summary>The doors.</summary>
    public enum Door { Verify, Publish, Upload, Pull, Audit, ApiProv }

    public static TheoryData<string, string?, Door[]> Faults => new()
    {
        { "tampered", "hash-mismatch", [Door.Verify, Door.Publish, Door.Upload, Door.Pull, Door.Audit, Door.ApiProv] },
        { "noprov", "missing-provenance", [Door.Verify, Door.Publish, Door.Pull, Door.Audit] },
        { "unknown", "signer-not-trusted", [Door.Verify, Door.Publish, Door.Upload, Door.Pull, Door.Audit, Door.ApiProv] },
        { "removed", "signer-not-trusted", [Door.Verify, Door.Publish, Door.Upload, Door.Pull, Door.Audit, Door.ApiProv] },
        { "revoked", "signer-revoked", [Door.Verify, Door.Publish, Door.Upload, Door.Pull, Door.Audit, Door.ApiProv] },
        // Expired is not compromised: signed while valid, by a key the repository still lists (null: trusted everywhere).
        { "expired", null, [Door.Verify, Door.Publish, Door.Upload, Door.Pull, Door.Audit, Door.ApiProv] },
        { "swapped", "name-version-mismatch", [Door.Publish, Door.Upload, Door.Pull, Door.Audit] },
        { "digest", "digest-mismatch", [Door.Pull, Door.Audit, Door.ApiProv] },
        { "gone", "missing-archive", [Door.Pull, Door.Audit, Door.ApiProv] },
        { "bigprov", "malformed", [Door.Verify, Door.Publish, Door.Upload, Door.Pull, Door.Audit, Door.ApiProv] },
        { "rebuild", "rebuild-mismatch", [Door.Verify, Door.Publish] },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task Every_door_that_can_see_a_fault_gives_the_same_reason(string fault, string? reason, Door[] doors)
    {
        var answers = new Dictionary<Door, string?>();
        foreach (Door door in doors)
        {
            answers[door] = await world.AskAsync(door, fault);
        }
        Assert.True(answers.Values.All(a => a == reason), $"{fault}: expected {reason ?? "trusted"} at every door, got " + string.Join(", ", answers.Select(a => $"{a.Key}={a.Value ?? "trusted"}")));
    }

    [Fact]
    public async Task A_good_chart_passes_every_door()
    {
        foreach (Door door in Enum.GetValues<Door>())
        {
            Assert.Null(await world.AskAsync(door, "good"));
        }
    }

    /// <summary>
    /// A repository (served) where one chart per fault sits as a mirror or an attacker left it; a clean repository
    /// (served) to upload to; the candidates, as a maintainer would hand them to verify, publish and upload.
    /// </summary>
    public sealed class World : IAsyncLifetime
    {
        private const string Token = "door-token";
        private static readonly DateTime Now = DateTime.UtcNow;
        private readonly TempDirectory _t = new();
        private readonly Dictionary<string, (byte[] Archive, string FileName, byte[]? Prov, string? Source)> _candidates = [];
        private readonly Dictionary<string, byte[]> _newProv = [];
        private readonly Dictionary<string, string> _pullVersion = [];
        private System.Diagnostics.Process? _planted, _upload;
        private Uri _plantedUrl = null!, _uploadUrl = null!;
        private Dictionary<string, string?> _audit = [];
        private string _root = "";

        private string Repo => _t.File("repo");

        public async ValueTask InitializeAsync()
        {
            DateTime created = Now.AddHours(-3);
            var root = new TestKey("Root <root@example.com>", created);
            var alice = new TestKey("Alice <alice@example.com>", created);
            var bob = new TestKey("Bob <bob@example.com>", created);
            var carol = new TestKey("Carol <carol@example.com>", created);
            var erin = new TestKey("Erin <erin@example.com>", created, TimeSpan.FromHours(1)); // expired two hours ago
            var mallory = new TestKey("Mallory <mallory@example.com>", created);
            _root = root.Fingerprint;
            Directory.CreateDirectory(Repo);
            // Erin's key was trusted while it was valid (it expired an hour later).
            DateTime earlier = created.AddMinutes(20);
            await TrustRepository.InitAsync(Repo, root.RootSigner(earlier), TimeSpan.FromDays(30), earlier);
            await TrustRepository.AddAsync(Repo, root.RootSigner(earlier), Keyring.Merge("keys", [alice.Public, bob.Public, carol.Public, erin.Public]), TimeSpan.FromDays(30), earlier);

            (byte[] Archive, string FileName, string Source) Package(string name, string version = "1.0.0")
            {
                string source = ChartFixtures.WriteSimpleChart(_t.File("src"), name, version);
                var packaged = ChartPackager.Package(source);
                return (packaged.Archive, packaged.FileName, source);
            }
            void Candidate(string fault, byte[] archive, string fileName, byte[]? prov, string? source = null) => _candidates[fault] = (archive, fileName, prov, source);

            // good: Alice, trusted.
            var good = Package("good");
            Candidate("good", good.Archive, good.FileName, alice.Sign(good.Archive, good.FileName, Now));
            // tampered: a changed archive under the signature of the original.
            var tampered = Package("tampered");
            byte[] tamperedProv = alice.Sign(tampered.Archive, tampered.FileName, Now);
            File.AppendAllText(Path.Combine(tampered.Source, "values.yaml"), "evil: true\n");
            var changed = ChartPackager.Package(tampered.Source);
            Candidate("tampered", changed.Archive, changed.FileName, tamperedProv);
            // noprov: no .prov at all.
            var noprov = Package("noprov");
            Candidate("noprov", noprov.Archive, noprov.FileName, null);
            // unknown, removed, revoked, expired signers.
            foreach (var (fault, key, at) in new[] { ("unknown", mallory, Now), ("removed", bob, Now), ("revoked", carol, Now), ("expired", erin, created.AddMinutes(30)) })
            {
                var chart = Package(fault);
                Candidate(fault, chart.Archive, chart.FileName, key.Sign(chart.Archive, chart.FileName, at));
            }
            // swapped: version 1.0.0 inside, signed and named as 2.0.0.
            var swapped = Package("swapped");
            Candidate("swapped", swapped.Archive, "swapped-2.0.0.tgz", alice.Sign(swapped.Archive, "swapped-2.0.0.tgz", Now));
            // digest, gone: good charts; the repository's copy is what goes wrong.
            foreach (string fault in new[] { "digest", "gone" })
            {
                var chart = Package(fault);
                Candidate(fault, chart.Archive, chart.FileName, alice.Sign(chart.Archive, chart.FileName, Now));
            }
            // bigprov: a .prov over the size limit.
            var big = Package("bigprov");
            byte[] bigProv = [.. alice.Sign(big.Archive, big.FileName, Now), .. new byte[Provenance.ChartVerifier.MaxProvenanceLength + 10]];
            Candidate("bigprov", big.Archive, big.FileName, bigProv);
            // rebuild: signed, then the reviewed source changes.
            var rebuild = Package("rebuild");
            Candidate("rebuild", rebuild.Archive, rebuild.FileName, alice.Sign(rebuild.Archive, rebuild.FileName, Now), rebuild.Source);
            File.AppendAllText(Path.Combine(rebuild.Source, "values.yaml"), "changed: after review\n");

            await TrustRepository.RemoveAsync(Repo, root.RootSigner(Now), [bob.Fingerprint], TimeSpan.FromDays(30), Now);
            await TrustRepository.RevokeAsync(Repo, root.RootSigner(Now), carol.Fingerprint, null, null, TimeSpan.FromDays(30), Now);

            // The clean repositories: the same trust files, no charts.
            foreach (string clean in new[] { "uprepo", "pubrepo" })
            {
                Directory.CreateDirectory(_t.File(clean));
                foreach (string file in Directory.GetFiles(Repo))
                {
                    File.Copy(file, Path.Combine(_t.File(clean), Path.GetFileName(file)));
                }
            }

            // The planted repository: each candidate as it is, indexed; then the faults only a repository can have.
            var index = new ChartIndex();
            foreach (var (fault, (archive, fileName, prov, _)) in _candidates)
            {
                if (fault == "rebuild")
                {
                    continue;
                }
                File.WriteAllBytes(Path.Combine(Repo, fileName), archive);
                if (prov is not null)
                {
                    File.WriteAllBytes(Path.Combine(Repo, fileName + ".prov"), prov);
                }
                var entry = RepositoryIndexer.EntryFor(archive, fileName, null, ChartIndex.Timestamp(Now));
                if (fault == "swapped")
                {
                    entry.Metadata.Version = "2.0.0"; // what the index claims; the archive holds 1.0.0
                }
                if (fault == "digest")
                {
                    entry = new IndexEntry { Metadata = entry.Metadata, Urls = entry.Urls, Created = entry.Created, Digest = new string('0', 64) };
                }
                index.Add(entry);
                _pullVersion[fault] = entry.Metadata.Version;
            }
            index.SortVersions();
            await index.WriteAsync(Path.Combine(Repo, ChartIndex.FileName));
            File.Delete(Path.Combine(Repo, "gone-1.0.0.tgz"));
            // For POST /api/prov, the stored archive of "tampered" is the changed one, and the new .prov covers the original.
            _newProv["good"] = alice.Sign(good.Archive, good.FileName, Now);
            _newProv["tampered"] = tamperedProv;
            _newProv["unknown"] = mallory.Sign(_candidates["unknown"].Archive, "unknown-1.0.0.tgz", Now);
            _newProv["removed"] = bob.Sign(_candidates["removed"].Archive, "removed-1.0.0.tgz", Now);
            _newProv["revoked"] = carol.Sign(_candidates["revoked"].Archive, "revoked-1.0.0.tgz", Now);
            _newProv["expired"] = erin.Sign(_candidates["expired"].Archive, "expired-1.0.0.tgz", created.AddMinutes(30));
            _newProv["digest"] = alice.Sign(_candidates["digest"].Archive, "digest-1.0.0.tgz", Now);
            _newProv["gone"] = alice.Sign(_candidates["gone"].Archive, "gone-1.0.0.tgz", Now);
            _newProv["bigprov"] = bigProv;

            File.WriteAllText(_t.File("tokens"), Token + "\n");
            var ct = TestContext.Current.CancellationToken;
            Directory.CreateDirectory(_t.File("planted-server"));
            Directory.CreateDirectory(_t.File("upload-server"));
            (_planted, _plantedUrl) = await Cli.StartServeAsync(_t.File("planted-server"), Repo, ["--root-fingerprint", _root, "--upload-token-file", _t.File("tokens")], ct);
            (_upload, _uploadUrl) = await Cli.StartServeAsync(_t.File("upload-server"), _t.File("uprepo"), ["--root-fingerprint", _root, "--upload-token-file", _t.File("tokens")], ct);

            Cli.AssertOk(Cli.Run(_t.Path, "repo", "add", "planted", _plantedUrl.ToString(), "--root-fingerprint", _root, "--plain-http"));
            var audit = Cli.Run(_t.Path, "audit", Repo, "--root-fingerprint", _root, "-o", "json");
            using var doc = JsonDocument.Parse(audit.StdOut);
            _audit = doc.RootElement.GetProperty("charts").EnumerateArray()
                .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("reason").GetString());
        }

        /// <summary>The reason a door gives for a fault's chart, or null when it trusts it.</summary>
        public async Task<string?> AskAsync(Door door, string fault)
        {
            var (archive, fileName, prov, source) = _candidates[fault];
            string dir = _t.File("candidates/" + fault);
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, fileName);
            File.WriteAllBytes(path, archive);
            if (prov is not null)
            {
                File.WriteAllBytes(path + ".prov", prov);
            }
            string[] rebuild = source is null ? [] : ["--rebuild-from", source];
            switch (door)
            {
                case Door.Verify:
                    return ReasonOf(Cli.Run(_t.Path, ["verify", path, "--repo", Repo, "--root-fingerprint", _root, "-o", "json", .. rebuild]));
                case Door.Publish:
                    return ReasonOf(Cli.Run(_t.Path, ["publish", path, "--repo", _t.File("pubrepo"), "--root-fingerprint", _root, .. rebuild]));
                case Door.Pull:
                    return ReasonOf(Cli.Run(_t.Path, "pull", "planted/" + fault, "--version", _pullVersion[fault], "-d", _t.File("pulled/" + fault), "-o", "json"));
                case Door.Audit:
                    return _audit[fault];
                case Door.Upload:
                    {
                        using var form = new MultipartFormDataContent { { new ByteArrayContent(archive), "chart", fileName } };
                        if (prov is not null)
                        {
                            form.Add(new ByteArrayContent(prov), "prov", fileName + ".prov");
                        }
                        return await PostAsync(new Uri(_uploadUrl, "api/charts"), form);
                    }
                case Door.ApiProv:
                    return await PostAsync(new Uri(_plantedUrl, "api/prov"), new ByteArrayContent(_newProv[fault]));
                default:
                    throw new ArgumentOutOfRangeException(nameof(door));
            }
        }

        private static async Task<string?> PostAsync(Uri url, HttpContent content)
        {
            using var http = new HttpClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }
            using var json = JsonDocument.Parse(body);
            return json.RootElement.GetProperty("error").GetString();
        }

        // The reason of a refused run: from its JSON when it printed one, else from its one stderr line "chartseal: FILE: REASON: ...".
        private static string? ReasonOf(CliResult r)
        {
            if (r.ExitCode == 0)
            {
                return null;
            }
            Assert.True(r.ExitCode == 1, r.ToString());
            if (r.StdOut.TrimStart().StartsWith('{'))
            {
                using var json = JsonDocument.Parse(r.StdOut);
                return json.RootElement.GetProperty("reason").GetString();
            }
            string line = Assert.Single(r.StdErrLines);
            var match = System.Text.RegularExpressions.Regex.Match(line, @": ([a-z]+(?:-[a-z]+)*): ");
            return match.Success ? match.Groups[1].Value : line;
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var server in new[] { _planted, _upload })
            {
                if (server is { HasExited: false })
                {
                    server.Kill();
                    await server.WaitForExitAsync();
                }
            }
            _t.Dispose();
        }
    }
}
