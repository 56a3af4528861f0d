using System.Collections.Concurrent;
using System.IO.Compression;
using Chartseal.IO;
using Chartseal.Trust;
using Microsoft.AspNetCore.Http;

namespace Chartseal.Server;

/// <summary>
/// The content-addressed indexes an index snapshot names (<c>index.sha256-HEX.yaml</c>), served like <c>index.yaml</c>:
/// gzip-compressed when the client accepts it, each form built once. Their names are their hashes, so they never change:
/// an ETag and a year of caching are safe, and only their existence is checked per request (a replaced one is removed
/// by the snapshot writer after a while).
/// </summary>
internal sealed class AddressedIndexes(string repositoryDir)
{
    private const int Held = 8;
    private readonly ConcurrentDictionary<string, Lazy<(byte[] Plain, byte[] Gzip)>> _forms = new(StringComparer.Ordinal);

    /// <summary>Answers a GET or HEAD of <paramref name="name"/> when it is a content-addressed index; false otherwise.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string name)
    {
        if (!IndexSnapshot.IsContentAddressedIndexName(name))
        {
            return false;
        }
        var file = new FileInfo(Path.Combine(repositoryDir, name));
        if (!file.Exists || file.LinkTarget is not null)
        {
            _forms.TryRemove(name, out _);
            await ApiJson.ErrorAsync(context, StatusCodes.Status404NotFound, "not-found", $"{name} is not in this repository (a newer snapshot names another index)").ConfigureAwait(false);
            return true;
        }
        if (_forms.Count >= Held && !_forms.ContainsKey(name))
        {
            _forms.Clear(); // a handful are current at any time; the rest were replaced
        }
        var (plain, gzip) = _forms.GetOrAdd(name, n => new(() => Read(file.FullName))).Value;
        var response = context.Response;
        bool compressed = ReadEndpoints.AcceptsGzip(context.Request);
        string etag = "\"" + name["index.sha256-".Length..^".yaml".Length][..32] + (compressed ? "-gz\"" : "\"");
        response.Headers.ETag = etag;
        response.Headers.Vary = "Accept-Encoding";
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        if (ReadEndpoints.IfNoneMatch(context.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        await ReadEndpoints.WriteYamlAsync(context, compressed ? gzip : plain, compressed).ConfigureAwait(false);
        return true;
    }

    private static (byte[] Plain, byte[] Gzip) Read(string path)
    {
        byte[] plain = File.ReadAllBytes(path);
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(plain);
        }
        return (plain, buffer.ToArray());
    }
}
