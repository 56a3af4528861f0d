using Chartseal.Charts;
using Chartseal.Trust;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;

namespace Chartseal.Server;

/// <summary>
/// The files a repository serves, and nothing else: the trust files by exact name, and chart archives with their
/// <c>.prov</c> at the top of the folder, named by <see cref="ChartName"/>'s rule, and (checked per request by the
/// server, against <see cref="IndexFile"/>) listed in the current index. No sub-folders, no dot files (the lock, writers'
/// temporary files), no symbolic links, no other extension, no archive the index does not list: a secret key left in
/// the folder by mistake (<c>root-key-backup.tgz</c>) is never served.
/// </summary>
internal sealed class RepositoryFiles(string repositoryDir) : IFileProvider
{
    private static readonly HashSet<string> TrustFileNames = new(TrustFiles.AllNames, StringComparer.Ordinal);

    private readonly PhysicalFileProvider _files = new(repositoryDir);

    /// <summary>Whether <paramref name="name"/> (a bare file name) is one a repository may serve (archives: when its index lists them).</summary>
    public static bool IsServed(string name) =>
        TrustFileNames.Contains(name) || IsChartFile(name) || name == IndexSnapshot.FileName || IndexSnapshot.IsContentAddressedIndexName(name);

    /// <summary>
    /// Whether <paramref name="name"/> says what is current, and changes in place: the index snapshot and the trust files.
    /// Served with <c>Cache-Control: no-cache</c>, so a cache (a CDN) revalidates them (ETag, Last-Modified) rather than
    /// keep an old snapshot by heuristic freshness, which a client that read a newer one refuses as a rollback.
    /// </summary>
    public static bool IsCurrentState(string name) => name == IndexSnapshot.FileName || TrustFileNames.Contains(name);

    /// <summary>Whether <paramref name="name"/> is named as a chart archive or its <c>.prov</c> (served only when the index lists it).</summary>
    public static bool IsChartFile(string name) =>
        ChartName.IsArchiveFileName(name.EndsWith(".prov", StringComparison.Ordinal) ? name[..^".prov".Length] : name);

    /// <summary>
    /// The route template of a served file name, for the <c>http.route</c> of ASP.NET Core's request metric (files have
    /// no endpoint, so no route of their own): <c>/{chart}.tgz</c>, <c>/{chart}.tgz.prov</c>,
    /// <c>/index.sha256-{sha256}.yaml</c>, or the trust file's or snapshot's own name. Null for a name the repository
    /// does not serve. Never the chart's name, so the metric's series do not grow with the charts or what clients ask.
    /// </summary>
    public static string? RouteOf(string name) =>
        IsChartFile(name) ? (name.EndsWith(".prov", StringComparison.Ordinal) ? "/{chart}.tgz.prov" : "/{chart}.tgz")
        : IndexSnapshot.IsContentAddressedIndexName(name) ? "/" + IndexSnapshot.ContentAddressedIndexName("{sha256}")
        : IsCurrentState(name) ? "/" + name
        : null;

    public IFileInfo GetFileInfo(string subpath)
    {
        // Exactly "/NAME": the server checks NAME against the index, so "//NAME" (one more slash) must not reach it.
        string name = subpath.StartsWith('/') ? subpath[1..] : subpath;
        if (!IsServed(name))
        {
            return new NotFoundFileInfo(name);
        }
        // A complete staged trust change is served in place of the published files (never a mixture of the two).
        var file = TrustFileNames.Contains(name) && File.Exists(Path.Combine(repositoryDir, Client.FolderRepositorySource.StagedTrustFolder, TrustFiles.ManifestName))
            && _files.GetFileInfo(Client.FolderRepositorySource.StagedTrustFolder + "/" + name) is { Exists: true } staged
                ? staged
                : _files.GetFileInfo(name);
        // A link could point anywhere on the machine.
        return file.Exists && file.PhysicalPath is { } path && new FileInfo(path).LinkTarget is null ? file : new NotFoundFileInfo(name);
    }

    public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

    public IChangeToken Watch(string filter) => NullChangeToken.Singleton;
}
