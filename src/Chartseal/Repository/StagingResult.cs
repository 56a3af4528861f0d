namespace Chartseal.Repository;

/// <summary>What became of one half of a two-request upload (see <see cref="UploadStaging"/>).</summary>
public abstract record StagingResult
{
    private StagingResult() { }

    /// <summary>
    /// The request is decided: both halves went through the publish gate, a <c>.prov</c> re-signed a published
    /// version, or the half was refused before it was held (malformed, unsafe archive, version exists).
    /// </summary>
    /// <param name="Result">The gate's (or the re-signing's) result.</param>
    /// <param name="Resigned">True when a lone <c>.prov</c> replaced the provenance of a published version.</param>
    public sealed record Done(PublishResult Result, bool Resigned = false) : StagingResult;

    /// <summary>The half is held, unpublished and unserved, until its other half arrives or it expires.</summary>
    /// <param name="FileName">The archive file name both halves are matched on (<c>NAME-VERSION.tgz</c>).</param>
    /// <param name="Missing">The half still expected: <c>prov</c> or <c>chart</c>.</param>
    /// <param name="ExpiresAt">When the held half is dropped if the other has not arrived.</param>
    public sealed record Held(string FileName, string Missing, DateTime ExpiresAt) : StagingResult;

    /// <summary>The staging area (or this uploader's share of it) is full; nothing was held.</summary>
    public sealed record Full(string Message) : StagingResult;
}
