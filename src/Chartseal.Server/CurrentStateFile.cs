using Chartseal.IO;
using Chartseal.Trust;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;

namespace Chartseal.Server;

/// <summary>
/// The files that change in place and say what is current (<c>snapshot.yaml.asc</c> and the trust files,
/// <see cref="RepositoryFiles.IsCurrentState"/>), served with an ETag of their content and no Last-Modified. The static
/// files' validators are the size and the modification time to the second, which two versions written within one second
/// share when they have the same size (two snapshots signed one upload after the other; a manifest renewed right after a
/// change): a cache revalidating one (<c>Cache-Control: no-cache</c>) was told 304 Not Modified and kept the old copy.
/// </summary>
internal static class CurrentStateFile
{
    /// <summary>
    /// Largest file hashed per request: a snapshot and a repository's trust files are a few kilobytes, and hashing a
    /// megabyte costs under a millisecond. A larger trust file (allowed up to <see cref="TrustFiles.MaxFileSize"/>) is left
    /// to the static files, so that no request makes the server hash megabytes.
    /// </summary>
    public const int MaxHashedLength = 1024 * 1024;

    /// <summary>Answers a GET or HEAD of <paramref name="name"/> when it is such a file and it can be read; false otherwise (then the static files answer).</summary>
    /// <param name="context">The request.</param>
    /// <param name="files">The repository's served files.</param>
    /// <param name="types">The media types the static files give, so that both ways serve a file alike.</param>
    /// <param name="name">The file name asked for.</param>
    public static async Task<bool> TryServeAsync(HttpContext context, RepositoryFiles files, IContentTypeProvider types, string name)
    {
        if (!RepositoryFiles.IsCurrentState(name) || files.GetFileInfo(name) is not { Exists: true, PhysicalPath: { } path, Length: <= MaxHashedLength })
        {
            return false;
        }
        byte[]? bytes;
        try
        {
            bytes = await InputFile.ReadIfExistsAsync(path, MaxHashedLength, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (ChartsealException)
        {
            return false; // replaced by a larger one meanwhile, or unreadable: served (or refused) as any other file
        }
        if (bytes is null)
        {
            return false;
        }
        var response = context.Response;
        string etag = "\"" + ContentHash.Sha256Hex(bytes)[..32] + "\"";
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "no-cache";
        if (ReadEndpoints.IfNoneMatch(context.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        response.ContentType = types.TryGetContentType(name, out string? type) ? type : "application/octet-stream";
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
        return true;
    }
}
