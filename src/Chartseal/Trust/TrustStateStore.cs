using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chartseal.IO;

namespace Chartseal.Trust;

/// <summary>What a client remembers about one repository.</summary>
/// <param name="CurrentRoot">The root pinned now (the initial pin, or the root it rotated to).</param>
/// <param name="Seen">The highest material accepted.</param>
public sealed record TrustState(string CurrentRoot, SeenTrust Seen);

/// <summary>
/// Remembers, per (initially pinned root, repository location), the highest trust version accepted and the
/// root currently pinned, under <c>$CHARTSEAL_HOME/trust-state</c> (else <c>$XDG_STATE_HOME/chartseal/trust-state</c>,
/// else <c>~/.local/state/chartseal/trust-state</c>). It only ever advances.
/// </summary>
public sealed class TrustStateStore
{
    /// <summary>A store in <paramref name="directory"/>.</summary>
    public TrustStateStore(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>Where the state files are.</summary>
    public string Directory { get; }

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

    /// <summary>The state for a repository, or null on first use.</summary>
    /// <exception cref="ChartsealException">The state file is unreadable or damaged.</exception>
    public TrustState? Get(PinnedRoot initialRoot, string location)
    {
        string path = PathFor(initialRoot, location);
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement root = doc.RootElement;
            return new TrustState(
                new PinnedRoot(root.GetProperty("currentRoot").GetString()!).Fingerprint,
                new SeenTrust(root.GetProperty("version").GetInt64(), root.GetProperty("manifestSha256").GetString()!));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException or ChartsealException)
        {
            throw new ChartsealException(path, "trust state is damaged: " + e.Message, e);
        }
    }

    /// <summary>Records accepted material: the version (which <see cref="TrustedMaterial.Load"/> already refused to lower) and the root to pin next.</summary>
    public void Accept(PinnedRoot initialRoot, string location, TrustedMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        System.IO.Directory.CreateDirectory(Directory);
        // Read-compare-write under a lock: concurrent uploads (and processes) must never lower a recorded version.
        using var stateLock = RepositoryLock.Acquire(Directory);
        TrustState? previous = Get(initialRoot, location);
        if (previous is not null && (previous.Seen.Version > material.Version
            || (previous.Seen.Version == material.Version && previous.CurrentRoot == material.RootToPin && previous.Seen.ManifestSha256 == material.ManifestSha256)))
        {
            // Already recorded, or a newer version was accepted meanwhile (TrustedMaterial.Load refused anything
            // lower than what was recorded when it read): nothing to write.
            return;
        }
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("initialRoot", initialRoot.Fingerprint);
            json.WriteString("location", location);
            json.WriteString("currentRoot", material.RootToPin);
            json.WriteNumber("version", material.Version);
            json.WriteString("manifestSha256", material.ManifestSha256);
            json.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(PathFor(initialRoot, location), buffer.ToArray());
    }

    private string PathFor(PinnedRoot initialRoot, string location)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(initialRoot.Fingerprint + "\n" + location)));
        return Path.Combine(Directory, key[..32] + ".json");
    }
}

/// <summary>
/// The client's update step: read a repository's trust files, verify them against the pinned root (or the root
/// it rotated to) and the highest version seen, and remember the result only after it was accepted.
/// </summary>
public static class TrustClient
{
    /// <summary>Loads and verifies a repository folder's (or http(s) URL's) trust material.</summary>
    /// <returns>Accepted material, or a rejection (trust-*).</returns>
    public static async Task<TrustResult> RefreshAsync(string repositoryDirectory, PinnedRoot initialRoot, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default) =>
        (await RefreshWithFilesAsync(repositoryDirectory, initialRoot, store, now, cancellationToken).ConfigureAwait(false)).Result;

    /// <summary>
    /// <see cref="RefreshAsync"/>, also returning the very files the result was decided on, for a client that caches
    /// accepted material (check <see cref="TrustRefresh.Result"/> before keeping them).
    /// </summary>
    public static async Task<TrustRefresh> RefreshWithFilesAsync(string repositoryDirectory, PinnedRoot initialRoot, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        string location = LocationOf(repositoryDirectory);
        TrustState? state = store.Get(initialRoot, location);
        var pin = new PinnedRoot(state?.CurrentRoot ?? initialRoot.Fingerprint);
        TrustFiles files = await TrustFiles.ReadAsync(repositoryDirectory, cancellationToken).ConfigureAwait(false);
        TrustResult result = TrustedMaterial.Load(files, pin, state?.Seen, now);
        if (result is TrustResult.Rejected { Reason: RejectionReason.TrustMismatch })
        {
            // A writer may be between renaming the keyrings and the manifest: read once more.
            files = await TrustFiles.ReadAsync(repositoryDirectory, cancellationToken).ConfigureAwait(false);
            result = TrustedMaterial.Load(files, pin, state?.Seen, now);
        }
        if (result is TrustResult.Accepted accepted)
        {
            store.Accept(initialRoot, location, accepted.Material);
        }
        return new TrustRefresh(result, files);
    }

    /// <summary>
    /// Checks trust files already held (e.g. a client's cache of what <see cref="RefreshWithFilesAsync"/> accepted) against
    /// what the store remembers for <paramref name="repositoryLocation"/>: the current root, no rollback, not expired.
    /// Remembers nothing.
    /// </summary>
    /// <returns>Accepted material, or a rejection (trust-*).</returns>
    public static TrustResult CheckHeld(TrustFiles files, string repositoryLocation, PinnedRoot initialRoot, TrustStateStore store, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(store);
        TrustState? state = store.Get(initialRoot, LocationOf(repositoryLocation));
        return TrustedMaterial.Load(files, new PinnedRoot(state?.CurrentRoot ?? initialRoot.Fingerprint), state?.Seen, now);
    }

    /// <summary>The key a repository's state is remembered under: the URL without a trailing slash, or the full folder path.</summary>
    public static string LocationOf(string repository) =>
        Repository.HttpFetcher.IsUrl(repository) ? repository.TrimEnd('/') : Path.GetFullPath(repository);
}

/// <summary>The outcome of <see cref="TrustClient.RefreshWithFilesAsync"/>: the result and the files it was decided on.</summary>
/// <param name="Result">Accepted material or a rejection.</param>
/// <param name="Files">The raw files read; trusted only when <paramref name="Result"/> is accepted.</param>
public sealed record TrustRefresh(TrustResult Result, TrustFiles Files);
