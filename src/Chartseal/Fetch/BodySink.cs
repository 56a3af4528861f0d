namespace Chartseal.Fetch;

/// <summary>Where a download's decoded bytes go while they stream in: memory (<see cref="BodyBuffer"/>) or a file (<see cref="FileSink"/>).</summary>
internal abstract class BodySink : IAsyncDisposable
{
    /// <summary>The bytes taken so far.</summary>
    public long Length { get; protected set; }

    /// <summary>Where the next bytes go (at least one byte of room).</summary>
    public abstract Memory<byte> Space();

    /// <summary>Takes <paramref name="count"/> bytes written into the last <see cref="Space"/>.</summary>
    public abstract ValueTask AdvanceAsync(int count, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
