using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.IO;

namespace Chartseal.Repository;

/// <summary>
/// The signing side's memory: per (root, repository location), the highest trust version this root signed, under
/// <c>$CHARTSEAL_HOME/signed-state</c> (else <c>$XDG_STATE_HOME/chartseal/signed-state</c>, else
/// <c>~/.local/state/chartseal/signed-state</c>). A root that finds the repository's trust files older than what it
/// signed refuses to sign on top of them: signing version 3 over a rolled-back version 2 would re-trust a key that
/// version 4 revoked, for every new client.
/// </summary>
public sealed class SignedVersionStore
{
    /// <summary>A store in <paramref name="directory"/>.</summary>
    public SignedVersionStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>Where the records are.</summary>
    public string Directory { get; }

    /// <summary>The store at the default location for this environment.</summary>
    public static SignedVersionStore Default()
    {
        string? home = Environment.GetEnvironmentVariable("CHARTSEAL_HOME");
        if (!string.IsNullOrEmpty(home))
        {
            return new SignedVersionStore(Path.Combine(home, "signed-state"));
        }
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }
        return new SignedVersionStore(Path.Combine(state, "chartseal", "signed-state"));
    }

    // A record holds one number.
    private const long MaxRecordSize = 64 * 1024;

    /// <summary>The highest version <paramref name="rootFingerprint"/> signed for <paramref name="location"/>, or 0.</summary>
    /// <exception cref="ChartsealException">The record is damaged.</exception>
    public long HighestSigned(string rootFingerprint, string location)
    {
        string path = PathFor(rootFingerprint, location);
        byte[]? bytes;
        try
        {
            bytes = InputFile.ReadIfExists(path, MaxRecordSize);
        }
        catch (ChartsealException e)
        {
            // A folder in its place is not "nothing signed yet": that would drop the rollback guard and fail only after signing.
            throw new ChartsealException(path, "signed-version record is damaged: " + e.Reason, e);
        }
        if (bytes is null)
        {
            return 0;
        }
        try
        {
            // A duplicate "version" read as its last value, or a version below 1, would lower the guard: damage, not a record.
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            long version = doc.RootElement.GetProperty("version").GetInt64();
            return version >= 1 ? version : throw new FormatException($"version {version} is below 1 (a record is written only after signing version 1 or later)");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new ChartsealException(path, "signed-version record is damaged: " + e.Message, e);
        }
    }

    /// <summary>
    /// The other repositories <paramref name="rootFingerprint"/> signed trust material for (every location but
    /// <paramref name="location"/>), with the highest version signed for each, ordered by location. A client remembers
    /// one trust version per root, whatever the location, so one root for two repositories makes a client of both refuse
    /// the one at the lower version; <c>trust init</c> warns about it. Damaged records are skipped (this is a warning).
    /// </summary>
    public IReadOnlyList<(string Location, long Version)> SignedElsewhere(string rootFingerprint, string location)
    {
        ArgumentNullException.ThrowIfNull(rootFingerprint);
        ArgumentNullException.ThrowIfNull(location);
        var found = new List<(string Location, long Version)>();
        if (!System.IO.Directory.Exists(Directory))
        {
            return found;
        }
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            try
            {
                byte[]? bytes = InputFile.ReadIfExists(path, MaxRecordSize);
                if (bytes is null)
                {
                    continue;
                }
                using var doc = JsonDocument.Parse(bytes);
                JsonElement record = doc.RootElement;
                if (record.GetProperty("root").GetString() == rootFingerprint && record.GetProperty("location").GetString() is { } other && other != location)
                {
                    found.Add((other, record.GetProperty("version").GetInt64()));
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException or ChartsealException)
            {
                // Not this check's business: the record's own repository reports it when it is changed.
            }
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Location, b.Location));
        return found;
    }

    /// <summary>Records that <paramref name="version"/> was signed (never lowers the record).</summary>
    public void RecordSigned(string rootFingerprint, string location, long version)
    {
        if (_held is { } held)
        {
            held.Add((rootFingerprint, location, version));
            return;
        }
        Write(rootFingerprint, location, version);
    }

    /// <summary>
    /// Runs <paramref name="publish"/>, holding the records made meanwhile, and writes them only when it succeeds: a
    /// working copy that is signed here and published afterwards (a registry namespace's trust artifact, pushed after
    /// the root signed it) is remembered only once published. A push that failed (credentials without push access,
    /// the registry down) is then not taken for a rollback by the next change: nobody can hold what was never
    /// published. Not for concurrent use of this instance.
    /// </summary>
    public async Task<T> RecordIfPublishedAsync<T>(Func<Task<T>> publish)
    {
        ArgumentNullException.ThrowIfNull(publish);
        var held = new List<(string Root, string Location, long Version)>();
        _held = held;
        try
        {
            T result = await publish().ConfigureAwait(false);
            _held = null;
            foreach (var (root, location, version) in held)
            {
                Write(root, location, version);
            }
            return result;
        }
        finally
        {
            _held = null;
        }
    }

    private List<(string Root, string Location, long Version)>? _held;

    private void Write(string rootFingerprint, string location, long version)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var recordLock = RepositoryLock.Acquire(Directory);
        if (HighestSigned(rootFingerprint, location) >= version)
        {
            return;
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("root", rootFingerprint);
            json.WriteString("location", location);
            json.WriteNumber("version", version);
            json.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(PathFor(rootFingerprint, location), buffer.ToArray());
    }

    private string PathFor(string rootFingerprint, string location)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(rootFingerprint + "\n" + location)));
        return Path.Combine(Directory, key[..32] + ".json");
    }
}
