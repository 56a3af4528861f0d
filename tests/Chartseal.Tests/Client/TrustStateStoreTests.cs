using Chartseal.Client;
using Chartseal.Tests.Trust;
using Chartseal.Trust;

namespace Chartseal.Tests.Client;

/// <summary>The client's remembered trust state, when its file was damaged on disk (a bad edit, a disk error, another tool).</summary>
public sealed class TrustStateStoreTests
{
    [Theory]
    [InlineData("not json at all")]
    [InlineData("{}")]
    [InlineData("""{"currentRoot": 5, "version": 2, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "not a fingerprint", "version": 2, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": null, "version": 2, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 1.5, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 99999999999999999999, "manifestSha256": "ab"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": "ab", "snapshot": {"version": "7"}}""")]
    public async Task A_damaged_state_file_is_one_error_naming_it_never_an_internal_error(string content)
    {
        using var f = new TrustFixture();
        (string file, _) = await RecordVersion2Async(f);
        File.WriteAllText(file, content.Replace("ROOT", f.Root.Fingerprint, StringComparison.Ordinal));

        var e = Assert.Throws<ChartsealException>(() => f.Store.Get(f.Pin));

        Assert.StartsWith($"{file}: trust state is damaged: ", e.Message, StringComparison.Ordinal);
    }

    // Each of these once read as a lower version than was recorded (or none at all): a duplicate key's last value
    // won, and a version below 1 or a missing manifest hash was taken as it stood.
    [Theory]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "version": 0, "manifestSha256": "SHA"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 0, "manifestSha256": "SHA"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": -5, "manifestSha256": "SHA"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": null}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": "x"}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": "SHA", "snapshot": {"version": 0, "sha256": "SHA", "indexKeysSha256": "SHA"}}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": "SHA", "snapshot": {"version": 3, "sha256": null, "indexKeysSha256": "SHA"}}""")]
    [InlineData("""{"currentRoot": "ROOT", "version": 2, "manifestSha256": "SHA", "snapshot": null}""")]
    public async Task A_state_file_that_would_lower_what_was_seen_is_damage_and_says_how_to_repair(string content)
    {
        using var f = new TrustFixture();
        (string file, _) = await RecordVersion2Async(f);
        File.WriteAllText(file, content.Replace("ROOT", f.Root.Fingerprint, StringComparison.Ordinal).Replace("SHA", new string('a', 64), StringComparison.Ordinal));

        var e = Assert.Throws<ChartsealException>(() => f.Store.Get(f.Pin));

        Assert.StartsWith($"{file}: trust state is damaged: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("restore it from a backup", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task A_state_file_with_fields_of_a_newer_version_is_read()
    {
        using var f = new TrustFixture();
        (string file, var material) = await RecordVersion2Async(f);
        File.WriteAllText(file, File.ReadAllText(file).Replace("\"version\"", "\"futureField\": {\"a\": [1]},\n  \"version\"", StringComparison.Ordinal));

        Assert.Equal(material.Version, f.Store.Get(f.Pin)!.Seen.Version);
    }

    [Fact]
    public async Task A_state_folder_that_cannot_be_made_is_one_error_naming_it_never_an_internal_error()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        string file = f.Temp.File("a-file");
        File.WriteAllText(file, "x");
        var store = new TrustStateStore(Path.Combine(file, "trust-state")); // CHARTSEAL_HOME under a file (or read-only)

        var e = Assert.Throws<ChartsealException>(() => store.Accept(f.Pin, f.Repo, f.MaterialAsync(TrustFixture.At(2)).GetAwaiter().GetResult()));

        Assert.StartsWith($"{store.Directory}: cannot create the trust-state folder (CHARTSEAL_HOME): ", e.Message, StringComparison.Ordinal);
        Assert.Throws<ChartsealException>(store.CreateFolder);
    }

    [Fact]
    public async Task In_memory_store_reads_the_folders_state_and_records_without_writing_anything()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var material = await f.MaterialAsync(TrustFixture.At(2));
        f.Store.Accept(f.Pin, f.Repo, material);
        string[] Listing() => [.. Directory.EnumerateFileSystemEntries(f.Store.Directory).Select(p => $"{p} {File.GetLastWriteTimeUtc(p):O}").Order(StringComparer.Ordinal)];
        string[] before = Listing();

        var memory = f.Store.InMemory();
        // What the folder recorded before still counts; what is accepted now is remembered, and the folder is untouched.
        Assert.Equal(material.Version, memory.Get(f.Pin)!.Seen.Version);
        var other = new PinnedRoot(f.Alice.Fingerprint);
        memory.Accept(other, f.Repo, material);

        Assert.True(memory.RecordsInMemory);
        Assert.Equal(material.Version, memory.Get(other)!.Seen.Version);
        Assert.Null(f.Store.Get(other));
        Assert.Equal(before, Listing());
    }

    [Fact]
    public async Task A_folder_that_cannot_be_written_cannot_record_and_its_in_memory_store_makes_nothing()
    {
        using var f = new TrustFixture();
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        string file = f.Temp.File("a-file");
        File.WriteAllText(file, "x");
        var store = new TrustStateStore(Path.Combine(file, "trust-state"));

        Assert.False(store.CanRecord(out string? problem));
        Assert.StartsWith($"{store.Directory}: cannot create the trust-state folder (CHARTSEAL_HOME): ", problem, StringComparison.Ordinal);
        var memory = store.InMemory();
        memory.Accept(f.Pin, f.Repo, await f.MaterialAsync(TrustFixture.At(2)));
        Assert.Equal(2, memory.Get(f.Pin)!.Seen.Version);
        Assert.True(new TrustStateStore(f.Temp.File("writable")).CanRecord(out string? none));
        Assert.Null(none);
        Assert.Empty(Directory.GetFiles(f.Temp.File("writable")));
    }

    [Fact]
    public async Task A_folder_in_place_of_the_state_file_is_damage_not_first_use()
    {
        using var f = new TrustFixture();
        (string file, _) = await RecordVersion2Async(f);
        File.Delete(file);
        Directory.CreateDirectory(file);

        var e = Assert.Throws<ChartsealException>(() => f.Store.Get(f.Pin));

        Assert.Equal($"{file}: trust state is damaged: is a folder, not a file", e.Message);
    }

    [Theory]
    [InlineData("""{"root": "R", "location": "L", "version": 1.5}""")]
    [InlineData("""{"root": "R", "location": "L", "version": 99999999999999999999}""")]
    [InlineData("""{"root": "R", "location": "L"}""")]
    [InlineData("""{"root": "R", "location": "L", "version": 3, "version": 0}""")] // read as 0, it would drop the guard
    [InlineData("""{"root": "R", "location": "L", "version": -5}""")]
    [InlineData("""{"root": "R", "location": "L", "version": 0}""")]
    [InlineData("[]")]
    [InlineData("")]
    public void A_damaged_signed_version_record_is_one_error_naming_it(string content)
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        var store = new Chartseal.Repository.SignedVersionStore(temp.File("signed-state"));
        store.RecordSigned("R", "L", 3);
        string file = Assert.Single(Directory.GetFiles(store.Directory, "*.json"));
        File.WriteAllText(file, content);

        var e = Assert.Throws<ChartsealException>(() => store.HighestSigned("R", "L"));

        Assert.StartsWith($"{file}: signed-version record is damaged: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_in_place_of_a_signed_version_record_is_damage_not_nothing_signed()
    {
        using var temp = new Chartseal.Tests.Support.TempDirectory();
        var store = new Chartseal.Repository.SignedVersionStore(temp.File("signed-state"));
        store.RecordSigned("R", "L", 3);
        string file = Assert.Single(Directory.GetFiles(store.Directory, "*.json"));
        File.Delete(file);
        Directory.CreateDirectory(file);

        var e = Assert.Throws<ChartsealException>(() => store.HighestSigned("R", "L"));

        Assert.Equal($"{file}: signed-version record is damaged: is a folder, not a file", e.Message);
    }

    // The store with trust version 2 recorded: its state file, and the material.
    private static async Task<(string File, TrustedMaterial Material)> RecordVersion2Async(TrustFixture f)
    {
        await f.InitWithTwoMaintainersAsync(TrustFixture.At(1));
        var material = await f.MaterialAsync(TrustFixture.At(2));
        f.Store.Accept(f.Pin, f.Repo, material);
        return (Assert.Single(Directory.GetFiles(f.Store.Directory, "*.json")), material);
    }
}
