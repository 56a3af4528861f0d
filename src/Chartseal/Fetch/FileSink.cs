using System.Buffers;
using System.Security.Cryptography;

namespace Chartseal.Fetch;

/// <summary>
/// Streams a download into a file, hashing it (SHA-256) on the way, so that a large answer is never held in memory.
/// The file is created (or emptied) when the body starts; the caller renames or deletes it.
/// </summary>
internal sealed class FileSink : BodySink
{
    private readonly FileStream _file;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _chunk = ArrayPool<byte>.Shared.Rent(81920);

    public FileSink(string path)
    {
        _file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = FileOptions.Asynchronous,
        });
    }

    /// <inheritdoc />
    public override Memory<byte> Space() => _chunk;

    /// <inheritdoc />
    public override async ValueTask AdvanceAsync(int count, CancellationToken cancellationToken)
    {
        _sha256.AppendData(_chunk, 0, count);
        await _file.WriteAsync(_chunk.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        Length += count;
    }

    /// <summary>Flushes the file to disk and returns the SHA-256 of what was written (lower-case hex).</summary>
    public async ValueTask<string> CompleteAsync(CancellationToken cancellationToken)
    {
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
        return Convert.ToHexStringLower(_sha256.GetHashAndReset());
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        _sha256.Dispose();
        ArrayPool<byte>.Shared.Return(_chunk);
    }
}
