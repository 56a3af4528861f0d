using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.IO;
using Chartseal.Trust;

namespace Chartseal.Client;

/// <summary>
/// Remembers, per initially pinned root (whatever URL or folder the material came from: a root signs one repository's
/// trust material, and a mirror or a re-added repository under another spelling of its URL must not replay older
/// material), the highest trust version accepted and the
/// root currently pinned, under <c>$CHARTSEAL_HOME/trust-state</c> (else <c>$XDG_STATE_HOME/chartseal/trust-state</c>,
/// else <c>~/.local/state/chartseal/trust-state</c>). It only ever advances.
/// </summary>
public sealed class TrustStateStore
{
    // What a store that records in memory holds, by state file path; null for a store that writes its folder.
    private readonly Dictionary<string, byte[]>? _memory;
    private readonly Lock _memoryLock = new();

    /// <summary>A store in <paramref name="directory"/>.</summary>
    public TrustStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    private TrustStateStore(string directory, Dictionary<string, byte[]> memory)
        : this(directory) => _memory = memory;

    /// <summary>Where the state files are.</summary>
    public string Directory { get; }

    /// <summary>Whether this store records in memory only (<see cref="InMemory"/>): what it accepts is forgotten when the process ends.</summary>
    public bool RecordsInMemory => _memory is not null;

    /// <summary>
    /// A store that reads the state this one's folder holds (when it can) but records only in memory, never writing
    /// anything: for a read-only server whose trust-state folder cannot be written. It remembers every version it
    /// accepts for as long as the process runs, and forgets them when it ends.
    /// </summary>
    public TrustStateStore InMemory() => new(Directory, new Dictionary<string, byte[]>(StringComparer.Ordinal));

    /// <summary>
    /// Whether the folder can be written: it is created if missing, and a temporary file is made in it and removed.
    /// </summary>
    /// <param name="problem">Why not (one line), when it cannot.</param>
    public bool CanRecord(out string? problem)
    {
        problem = null;
        if (_memory is not null)
        {
            return true;
        }
        try
        {
            CreateFolder();
        }
        catch (ChartsealException e)
        {
            problem = e.Message;
            return false;
        }
        if (OutputFolder.WhyNotWritable(Directory) is { } why)
        {
            problem = $"{Directory}: cannot write the trust-state folder (CHARTSEAL_HOME): {why}";
            return false;
        }
        return true;
    }

    /// <summary>
    /// Refuses a repository folder that is this store's folder: both would use the same lock file, and a writer
    /// holding the repository's lock would then wait on itself.
    /// </summary>
    /// <exception cref="ChartsealException">The two folders are the same.</exception>
    public void CheckSeparateFrom(string repositoryDir)
    {
        if (string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(Directory)),
                Path.TrimEndingDirectorySeparator(Path.GetFullPath(repositoryDir)), StringComparison.Ordinal))
        {
            throw new ChartsealException(repositoryDir, "is also the trust-state folder (CHARTSEAL_HOME); keep the client's state outside the repository");
        }
    }

    /// <summary>Creates the store's folder if missing (a server does it at start: it could record nothing without it).</summary>
    /// <exception cref="ChartsealException">The folder cannot be created (a read-only file system, a file in the way, no permission).</exception>
    public void CreateFolder()
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ChartsealException(Directory, "cannot create the trust-state folder (CHARTSEAL_HOME): " + e.Message, e);
        }
    }

    /// <summary>The store at the default location for this environment.</summary>
    public static TrustStateStore Default()
    {
        string? home = Environment.GetEnvironmentVariable("CHARTSEAL_HOME");
        if (!string.IsNullOrEmpty(home))
        {
            return new TrustStateStore(Path.Combine(home, "trust-state"));
        }
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }
        return new TrustStateStore(Path.Combine(state, "chartseal", "trust-state"));
    }

    // A state file holds a few fingerprints and numbers.
    private const long MaxStateSize = 64 * 1024;

    /// <summary>The state for a repository, or null on first use.</summary>
    /// <exception cref="ChartsealException">The state file is unreadable or damaged.</exception>
    public TrustState? Get(PinnedRoot initialRoot)
    {
        string path = PathFor(initialRoot);
        byte[]? bytes;
        try
        {
            bytes = Recorded(path) ?? InputFile.ReadIfExists(path, MaxStateSize);
        }
        catch (ChartsealException e)
        {
            // A folder in its place is not "first use": that would forget the versions seen, and fail only when recording the new one.
            throw new ChartsealException(path, "trust state is damaged: " + e.Reason, e);
        }
        if (bytes is null)
        {
            return null;
        }
        try
        {
            // A duplicate key is refused, not read as its last value: "version": 2, "version": 0 would lower what was seen.
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { AllowDuplicateProperties = false });
            JsonElement root = doc.RootElement;
            SeenSnapshot? snapshot = root.TryGetProperty("snapshot", out JsonElement s)
                ? new SeenSnapshot(Version(s), Sha256(s, "sha256"), Sha256(s, "indexKeysSha256"))
                : null;
            return new TrustState(
                new PinnedRoot(root.GetProperty("currentRoot").GetString()!).Fingerprint,
                new SeenTrust(Version(root), Sha256(root, "manifestSha256")),
                snapshot);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException or IOException or ChartsealException)
        {
            // Never "seen nothing": that would accept any older material again. Deleting it is the user's choice.
            throw new ChartsealException(path, $"trust state is damaged: {e.Message.ReplaceLineEndings(" ")} (restore it from a backup; deleting it forgets the trust versions seen, and the repository's material is then accepted as on first use)", e);
        }
    }

    // Versions start at 1: anything lower would accept every version again.
    private static long Version(JsonElement state)
    {
        long version = state.GetProperty("version").GetInt64();
        return version >= 1 ? version : throw new FormatException($"version {version} is below 1");
    }

    private static string Sha256(JsonElement state, string name) =>
        state.GetProperty(name).GetString() is { Length: 64 } hex && hex.All(char.IsAsciiHexDigitLower)
            ? hex
            : throw new FormatException($"{name} is not a SHA-256 in lower-case hex");

    /// <summary>Records accepted material: the version (which <see cref="TrustedMaterial.Load"/> already refused to lower) and the root to pin next.</summary>
    public void Accept(PinnedRoot initialRoot, string location, TrustedMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        // Read-compare-write under a lock: concurrent uploads (and processes) must never lower a recorded version.
        using var stateLock = Lock();
        TrustState? previous = Get(initialRoot);
        if (previous is not null && (previous.Seen.Version > material.Version
            || (previous.Seen.Version == material.Version && previous.CurrentRoot == material.RootToPin && previous.Seen.ManifestSha256 == material.ManifestSha256)))
        {
            // Already recorded, or a newer version was accepted meanwhile (TrustedMaterial.Load refused anything
            // lower than what was recorded when it read): nothing to write.
            return;
        }
        Write(initialRoot, location, new TrustState(material.RootToPin, new SeenTrust(material.Version, material.ManifestSha256), previous?.Snapshot));
    }

    /// <summary>
    /// Records an accepted index snapshot (after <see cref="Accept"/> recorded the material it was made with). Under
    /// the same index keys the version only grows; a new set of index keys starts a new lineage (fast-forward recovery).
    /// </summary>
    public void AcceptSnapshot(PinnedRoot initialRoot, string location, TrustedMaterial material, TrustedSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(material);
        ArgumentNullException.ThrowIfNull(snapshot);
        using var stateLock = Lock();
        TrustState previous = Get(initialRoot) ?? throw new InvalidOperationException("a snapshot is accepted after its trust material");
        if (previous.Snapshot is { } seen && seen.IndexKeysSha256 == material.IndexKeysSha256 && seen.Version >= snapshot.Version)
        {
            return; // already recorded, or a newer one was accepted meanwhile
        }
        Write(initialRoot, location, previous with { Snapshot = new SeenSnapshot(snapshot.Version, snapshot.Sha256, material.IndexKeysSha256!) });
    }

    private void Write(PinnedRoot initialRoot, string location, TrustState state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("initialRoot", initialRoot.Fingerprint);
            json.WriteString("location", location);
            json.WriteString("currentRoot", state.CurrentRoot);
            json.WriteNumber("version", state.Seen.Version);
            json.WriteString("manifestSha256", state.Seen.ManifestSha256);
            if (state.Snapshot is { } snapshot)
            {
                json.WriteStartObject("snapshot");
                json.WriteNumber("version", snapshot.Version);
                json.WriteString("sha256", snapshot.Sha256);
                json.WriteString("indexKeysSha256", snapshot.IndexKeysSha256);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        if (_memory is not null)
        {
            // Under the in-process lock Lock() took.
            _memory[PathFor(initialRoot)] = buffer.ToArray();
            return;
        }
        AtomicFile.WriteAllBytes(PathFor(initialRoot), buffer.ToArray());
    }

    // The folder's lock file (other processes share the folder), or only this process's lock for a store in memory.
    private IDisposable Lock()
    {
        if (_memory is not null)
        {
            return new MemoryLock(_memoryLock);
        }
        CreateFolder();
        return RepositoryLock.Acquire(Directory);
    }

    // What a store in memory recorded for this path, or null (then the folder's file, if any, is read).
    private byte[]? Recorded(string path)
    {
        if (_memory is null)
        {
            return null;
        }
        lock (_memoryLock)
        {
            return _memory.GetValueOrDefault(path);
        }
    }

    private sealed class MemoryLock : IDisposable
    {
        private readonly Lock _lock;

        public MemoryLock(Lock held)
        {
            _lock = held;
            _lock.Enter();
        }

        public void Dispose() => _lock.Exit();
    }

    // Keyed by the pinned root alone; the location is recorded for people only.
    private string PathFor(PinnedRoot initialRoot)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(initialRoot.Fingerprint)));
        return Path.Combine(Directory, key[..32] + ".json");
    }
}
