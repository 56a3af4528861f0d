using System.IO.Compression;
using Chartseal.Charts;
using Chartseal.Tests.Fuzz;

namespace Chartseal.Tests.Charts;

/// <summary>
/// The short cuts of reading an archive give what the plain way gives.
/// <see cref="ChartArchive.Read(ReadOnlyMemory{byte}, string, ArchiveLimits?)"/> inflates a small archive in one go
/// before reading its tar, and anything else as a stream: both must give the same contents, or the same refusal word for
/// word, as reading the gzip stream throughout did. The tar header checksums are summed eight bytes at a time.
/// </summary>
public sealed class ArchiveFastPathTests
{
    [Fact]
    public void Checksums_RandomHeaders_AreTheByteByByteSums()
    {
        var random = new Random(512);
        byte[] header = new byte[512];
        for (int i = 0; i < 2000; i++)
        {
            random.NextBytes(header);
            if (i % 3 == 0)
            {
                header.AsSpan(random.Next(512)).Fill((byte)(i % 2 == 0 ? 0xFF : 0x00)); // runs of extremes
            }
            long unsigned = 8 * ' ', signed = 8 * ' ';
            for (int j = 0; j < 512; j++)
            {
                if (j is < 148 or >= 156)
                {
                    unsigned += header[j];
                    signed += (sbyte)header[j];
                }
            }
            Assert.Equal((unsigned, signed), ChartTarReader.Checksums(header));
        }
    }

    private static string Outcome(byte[] archive, ArchiveLimits? limits, bool inflateInOneGo)
    {
        try
        {
            var contents = ChartArchive.Read(archive, "x.tgz", limits, inflateInOneGo);
            return $"{contents.Metadata.Name} {contents.Metadata.Version}: "
                + string.Join(", ", contents.Files.Select(f => $"{f.Path} {f.Size} {f.Sha256}"));
        }
        catch (UnsafeArchiveException e)
        {
            return $"refused: {e.Message} [{e.EntryName}]";
        }
    }

    [Fact]
    public void Read_MutatedArchives_SameOutcomeInflatedInOneGoOrStreamed()
    {
        var corpus = FuzzRunner.Corpus("archive");
        var random = new Random(20261130);
        var bytes = new Mutator(random, corpus, Mutator.TarTokens);
        var tar = new TarMutations(bytes, new Mutator(random, FuzzRunner.Corpus("chart-yaml"), Mutator.YamlTokens));
        // Limits near the size of a chart, so that some inputs cross them at every point.
        ArchiveLimits?[] limits = [null, new() { MaxDecompressedSize = 2048 }, new() { MaxDecompressedSize = 5000, MaxFileSize = 300 }];
        int read = 0, refused = 0;
        for (int i = 0; i < 3000; i++)
        {
            byte[] input = random.Next(4) switch
            {
                0 => bytes.Next(),
                1 => corpus[random.Next(corpus.Count)],
                _ => tar.Mutate(corpus[random.Next(corpus.Count)]),
            };
            ArchiveLimits? limit = limits[random.Next(limits.Length)];
            string streamed = Outcome(input, limit, inflateInOneGo: false);
            Assert.Equal(streamed, Outcome(input, limit, inflateInOneGo: true));
            _ = streamed.StartsWith("refused:", StringComparison.Ordinal) ? refused++ : read++;
        }
        Assert.True(read > 100 && refused > 100, $"read {read}, refused {refused}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TarLargerThanOneGoOrLyingAboutItsSize_SameAsStreamed(bool lie)
    {
        // A chart whose tar is over the one-go limit (read as a stream), and the same with the gzip trailer's size field
        // claiming a small tar (inflated in one go until the limit, then read again as a stream).
        byte[] large = new byte[ChartArchive.InflateInOneGoLimit + 4096];
        new Random(7).NextBytes(large.AsSpan(0, 1000));
        byte[] archive = Tgz(("demo/Chart.yaml", "apiVersion: v2\nname: demo\nversion: 1.0.0\n"u8.ToArray()), ("demo/big.bin", large));
        if (lie)
        {
            BitConverter.TryWriteBytes(archive.AsSpan(archive.Length - 4), 5000);
        }
        string streamed = Outcome(archive, null, inflateInOneGo: false);
        Assert.Equal(streamed, Outcome(archive, null, inflateInOneGo: true));
        Assert.Equal(lie, streamed.StartsWith("refused:", StringComparison.Ordinal)); // a lying trailer fails the size check
    }

    private static byte[] Tgz(params (string Name, byte[] Data)[] files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Ustar))
        {
            foreach (var (name, data) in files)
            {
                writer.WriteEntry(new System.Formats.Tar.UstarTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(data),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                });
            }
        }
        return output.ToArray();
    }
}
