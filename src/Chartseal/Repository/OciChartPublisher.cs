using Chartseal.Charts;
using Chartseal.Client;
using Chartseal.Gate;
using Chartseal.Oci;
using Chartseal.Provenance;
using Chartseal.Trust;

namespace Chartseal.Repository;

/// <summary>
/// The publish gate of a registry namespace (<c>chartseal push</c>): a chart and its <c>.prov</c> get the same trust
/// decision as <c>chartseal publish</c> (the namespace's trust material checked against the pinned root, then
/// <see cref="TrustGate"/> with the canonical file name and, when asked, the rebuild), and only then are they pushed,
/// as Helm pushes them (<see cref="HelmChartArtifact"/>: <c>NS/NAME:VERSION</c>, Helm's media types, the <c>.prov</c>
/// as a layer), so that plain Helm users keep pulling and verifying them. An untrusted, unsigned or tampered chart never
/// reaches the registry. Re-signing (<see cref="ReplaceProvenanceAsync"/>) replaces only the provenance layer of a
/// pushed version, over the very chart layer the registry holds.
/// </summary>
public static class OciChartPublisher
{
    /// <summary>
    /// Checks and pushes a chart. Reasons: every trust-* reason, every reason of the gate (missing-provenance,
    /// signer-not-trusted, signer-revoked, hash-mismatch, name-version-mismatch when the archive or its signed file name
    /// is not the chart's NAME-VERSION.tgz, rebuild-mismatch), and version-exists (unless <see cref="OciPushOptions.Force"/>).
    /// </summary>
    /// <exception cref="ChartsealException">A chart name no registry repository can have, the tag moved while pushing, or a failed request.</exception>
    public static async Task<PublishResult> PushAsync(OciRepositorySource target, ChartUpload upload, OciPushOptions options, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        string name = upload.FileName;
        var (trusted, rejected) = await PublishGate.JudgeAsync(target, upload, options.Root, options.RebuildFrom, options.SourceDateEpoch, store, now, cancellationToken).ConfigureAwait(false);
        if (trusted is null)
        {
            return rejected!;
        }
        var chart = trusted.Verification.Chart;
        if (!OciRepositorySource.IsChartName(chart.Name))
        {
            throw new ChartsealException(name, $"chart name \"{chart.Name}\" cannot be stored in a registry namespace: a repository name is one lower-case path component (and {OciTrustArtifact.RepositoryName} holds the trust material)");
        }
        OciReference reference = target.ChartReference(chart.Name, chart.Version);

        // 3. A pushed version is never replaced by a plain push.
        string? existing = (await target.Client.HeadManifestAsync(reference, cancellationToken).ConfigureAwait(false))?.Digest;
        if (existing is not null && !options.Force)
        {
            return new PublishResult.Rejected(RejectionReason.VersionExists, $"{reference} already holds {chart.Name} {chart.Version}; a pushed version is never replaced by a plain push");
        }

        // 4. Push as Helm does (blobs, then the manifest, only while the tag holds what was checked), then list the chart.
        var artifact = HelmChartArtifact.Create(upload.Archive, name, upload.Provenance, options.Created ?? new DateTimeOffset(now, TimeSpan.Zero));
        foreach (OciBlob blob in artifact.Blobs)
        {
            await target.Client.PushBlobAsync(reference, blob.Descriptor, blob.Content, cancellationToken).ConfigureAwait(false);
        }
        await OciTrustArtifact.PutIfUnchangedAsync(target.Client, reference, artifact.ManifestBytes, OciMediaTypes.ImageManifest, existing, "chart version", cancellationToken).ConfigureAwait(false);
        await OciChartList.AddAsync(target.Client, target.Namespace, chart.Name, cancellationToken).ConfigureAwait(false);
        var entry = new IndexEntry
        {
            Metadata = trusted.Metadata,
            Urls = [reference.ToString()],
            Created = ChartIndex.Timestamp(now),
            Digest = trusted.Verification.Sha256,
        };
        return new PublishResult.Published(entry, trusted);
    }

    /// <summary>
    /// Replaces the provenance layer of a version the namespace holds (<c>push --resign-only</c>): the new <c>.prov</c>
    /// must verify over the chart layer stored there and be signed by a key the namespace trusts now. The chart layer,
    /// the config and the annotations stay as they are (so the chart layer's digest never changes); only the manifest
    /// is new, and it is put only while the tag still holds the manifest that was checked.
    /// </summary>
    /// <returns>
    /// <see cref="PublishResult.Published"/>, or <see cref="PublishResult.Rejected"/> with malformed, version-not-found,
    /// hash-mismatch (a .prov for another archive, or a chart layer its current provenance layer does not cover), file-not-in-provenance, name-version-mismatch, or any trust and
    /// verification reason of the new signature.
    /// </returns>
    /// <exception cref="ChartsealException">The stored version is not a Helm chart, the tag moved meanwhile, or a failed request.</exception>
    public static async Task<PublishResult> ReplaceProvenanceAsync(OciRepositorySource target, byte[] provenance, string sourceName, PinnedRoot root, TrustStateStore store, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(store);

        // 1. Which version the new .prov is for (unverified: only to find the stored chart it is judged against).
        if (ProvenanceReplacement.ReadTarget(provenance, sourceName, out string fileName, out var metadata) is { } malformed)
        {
            return malformed;
        }
        if (!OciRepositorySource.IsChartName(metadata.Name))
        {
            return new PublishResult.Rejected(RejectionReason.VersionNotFound, $"the provenance is for chart \"{metadata.Name}\", which no namespace can hold");
        }

        // 2. The namespace's trust material, checked against the pinned root.
        var trust = await TrustUpdater.RefreshAsync(target, root, store, now, cancellationToken).ConfigureAwait(false);
        if (trust is TrustResult.Rejected t)
        {
            return new PublishResult.Rejected(t.Refusal);
        }
        var material = ((TrustResult.Accepted)trust).Material;

        // 3. The version must be pushed; its chart layer is what the new .prov is judged against.
        OciReference reference = target.ChartReference(metadata.Name, metadata.Version);
        string where = reference.ToString();
        if (await target.Client.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return new PublishResult.Rejected(RejectionReason.VersionNotFound, $"{where} does not exist; --resign-only replaces the .prov of a pushed version (push it instead)");
        }
        OciManifest manifest = stored.Parse(where);
        HelmChartLayers layers = HelmChartArtifact.ReadLayers(manifest, where);
        if (layers.Chart.Size > RepositorySource.MaxArchiveSize)
        {
            throw new ChartsealException(where, $"the chart layer is larger than the {RepositorySource.MaxArchiveSize} byte limit ({layers.Chart.Size} bytes)");
        }
        byte[] archive = await target.Client.GetBlobAsync(reference, layers.Chart, cancellationToken).ConfigureAwait(false);

        // 4. THE gate: the new signature over the stored chart layer, which must be the chart the reference names.
        var entry = new IndexEntry
        {
            Metadata = new ChartMetadata { ApiVersion = "v2", Name = metadata.Name, Version = metadata.Version },
            Urls = [where],
            Digest = OciDigest.HexOfSha256(layers.Chart.Digest) ?? "",
        };
        var verdict = TrustGate.Judge(fileName, archive, provenance, new TrustBasis.Repository(material), target.ExpectationsFor(entry), now);
        if (verdict is Verdict.Refused refused)
        {
            return new PublishResult.Rejected(refused.Refusal);
        }

        // 5. Re-signing vouches for the chart that was signed before, not for a chart layer swapped in since: the current
        //    provenance layer, when it names this archive, must name these bytes.
        if (layers.Provenance is { } currentLayer && currentLayer.Size <= ChartVerifier.MaxProvenanceLength)
        {
            byte[] current = await target.Client.GetBlobAsync(reference, currentLayer, cancellationToken).ConfigureAwait(false);
            if (ChartResigning.CheckStoredArchiveUnchanged(archive, fileName, current) is { } changed)
            {
                return new PublishResult.Rejected(changed);
            }
        }

        // 6. Only the provenance layer changes (layers stay in Helm's digest order).
        var prov = OciBlob.Of(OciMediaTypes.HelmProvenance, provenance);
        var newLayers = manifest.Layers.Where(l => l.MediaType != OciMediaTypes.HelmProvenance).Append(prov.Descriptor)
            .OrderBy(l => l.Digest, StringComparer.Ordinal).ToList();
        var replaced = new OciManifest(manifest.Config, newLayers, manifest.Annotations)
        {
            MediaType = manifest.MediaType,
            ArtifactType = manifest.ArtifactType,
            Subject = manifest.Subject,
        };
        await target.Client.PushBlobAsync(reference, prov.Descriptor, prov.Content, cancellationToken).ConfigureAwait(false);
        await OciTrustArtifact.PutIfUnchangedAsync(target.Client, reference, replaced.ToJson(), stored.MediaType, stored.Digest, "chart version", cancellationToken).ConfigureAwait(false);
        return new PublishResult.Published(entry, (Verdict.Trusted)verdict);
    }
}
