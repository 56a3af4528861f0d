using System.Net;
using System.Text;
using Chartseal.Tests.Support;

namespace Chartseal.Server.Tests;

/// <summary>Legal tar that the archive reader does not support must be a refusal, never a server error.</summary>
public sealed class HostileArchiveUploadTests
{
    [Fact]
    public async Task OldGnuSparseEntry_Upload_422UnsafeArchiveNot500()
    {
        await using var s = await ServerFixture.StartAsync();
        byte[] data = Encoding.ASCII.GetBytes("kind: ConfigMap\n");
        byte[] archive = RawTar.Chart()
            .Header("demo/templates/s.yaml", data.Length, 'S', RawTar.Gnu)
            .Data(data)
            .Tgz();

        using var response = await s.PostRawAsync("api/charts", archive, ServerFixture.Bearer);

        var (status, error, message) = await ServerFixture.ErrorOfAsync(response);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "unsafe-archive"), (status, error));
        Assert.Contains("unsupported entry type 'S' (GNU sparse file)", message, StringComparison.Ordinal);
    }
}
