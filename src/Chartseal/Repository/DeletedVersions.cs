using System.Text.Json;
using Chartseal.Compat;
using Chartseal.IO;

namespace Chartseal.Repository;

/// <summary>
/// The chart versions deleted from a repository, with the digest each had (<c>.deleted-versions.json</c> in the
/// repository folder: a dot file, never served). A published version is immutable, and deleting it does not make its
/// number free for other bytes: a later publish of the same name and version (equal under SemVer precedence) with a
/// different archive is refused unless forced, so that clients that cached the old one never meet a second archive
/// under the same number. Read and written under the repository lock.
/// </summary>
internal sealed class DeletedVersions
{
    /// <summary>The file name in the repository folder.</summary>
    public const string FileName = ".deleted-versions.json";

    private const string Schema = "chartseal.deleted-versions/v1";
    private const long MaxSize = 64L * 1024 * 1024;

    private readonly List<(string Name, string Version, string Digest, string Deleted)> _entries;
    private readonly string _path;

    private DeletedVersions(string path, List<(string, string, string, string)> entries) => (_path, _entries) = (path, entries);

    /// <summary>The record of a repository folder (empty when there is none).</summary>
    /// <exception cref="ChartsealException">The file is unreadable or damaged.</exception>
    public static async Task<DeletedVersions> LoadAsync(string repositoryDir, CancellationToken cancellationToken)
    {
        string path = Path.Combine(repositoryDir, FileName);
        var entries = new List<(string, string, string, string)>();
        if (await InputFile.ReadIfExistsAsync(path, MaxSize, truncate: false, cancellationToken).ConfigureAwait(false) is not { } bytes)
        {
            return new DeletedVersions(path, entries);
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.GetProperty("schema").GetString() != Schema)
            {
                throw new ChartsealException(path, $"not a {Schema} file");
            }
            foreach (var e in doc.RootElement.GetProperty("deleted").EnumerateArray())
            {
                entries.Add((e.GetProperty("name").GetString()!, e.GetProperty("version").GetString()!, e.GetProperty("digest").GetString()!, e.GetProperty("deleted").GetString()!));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ChartsealException(path, "damaged record of deleted versions: " + e.Message);
        }
        return new DeletedVersions(path, entries);
    }

    /// <summary>
    /// The deletion that keeps <paramref name="digest"/> out of <paramref name="name"/> <paramref name="version"/>: a deleted
    /// version equal to it under SemVer precedence whose archive had another digest; null when there is none.
    /// </summary>
    public (string Version, string Digest, string Deleted)? Conflict(string name, string version, string digest)
    {
        foreach (var e in _entries)
        {
            if (e.Name == name && SameVersion(e.Version, version) && !string.Equals(e.Digest, digest, StringComparison.OrdinalIgnoreCase))
            {
                return (e.Version, e.Digest, e.Deleted);
            }
        }
        return null;
    }

    /// <summary>Records a deletion (replacing an earlier record of the same name and version).</summary>
    public void Add(string name, string version, string digest, string deleted)
    {
        Forget(name, version);
        _entries.Add((name, version, digest, deleted));
    }

    /// <summary>Drops the records of a version published again (the index protects it from then on).</summary>
    public bool Forget(string name, string version) => _entries.RemoveAll(e => e.Name == name && SameVersion(e.Version, version)) > 0;

    /// <summary>Writes the record atomically.</summary>
    public Task SaveAsync(CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("schema", Schema);
            json.WriteStartArray("deleted");
            foreach (var (name, version, digest, deleted) in _entries)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("version", version);
                json.WriteString("digest", digest);
                json.WriteString("deleted", deleted);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return AtomicFile.WriteAllBytesAsync(_path, buffer.ToArray(), cancellationToken);
    }

    /// <summary>Whether two versions are one under SemVer precedence (build metadata and a leading v ignored); else exact equality.</summary>
    public static bool SameVersion(string a, string b) =>
        a == b || (SemanticVersion.TryParse(a, out var x) && SemanticVersion.TryParse(b, out var y) && x.CompareTo(y) == 0);
}
