using Chartseal.IO;
using Chartseal.Trust;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server;

/// <summary>
/// <c>snapshot.yaml.asc</c>, served with an ETag of its content (it is at most <see cref="IndexSnapshot.MaxLength"/>
/// bytes) and no Last-Modified. The static files' validators are the size and the modification time to the second, which
/// two snapshots signed within one second share (a repository's snapshots all have about the same size): a cache
/// revalidating it (<c>Cache-Control: no-cache</c>) was told 304 Not Modified and kept the snapshot before the last upload.
/// </summary>
internal static class SnapshotFile
{
    /// <summary>Answers a GET or HEAD of <paramref name="name"/> when it is the snapshot and it can be read; false otherwise (then the static files answer).</summary>
    public static async Task<bool> TryServeAsync(HttpContext context, RepositoryFiles files, string name)
    {
        if (name != IndexSnapshot.FileName || files.GetFileInfo(name) is not { Exists: true, PhysicalPath: { } path })
        {
            return false;
        }
        byte[]? bytes;
        try
        {
            bytes = await InputFile.ReadIfExistsAsync(path, IndexSnapshot.MaxLength, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (ChartsealException)
        {
            return false; // larger than any snapshot, or unreadable: served (or refused) as any other file
        }
        if (bytes is null)
        {
            return false;
        }
        var response = context.Response;
        string etag = "\"" + ContentHash.Sha256Hex(bytes)[..32] + "\"";
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.ToString().Contains(etag, StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        response.ContentType = "text/plain; charset=utf-8";
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
        return true;
    }
}
