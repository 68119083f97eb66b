using System.Net;
using System.Text;
using System.Text.Json;
using HyperSharp.Scripting;
using Xunit;

namespace HyperSharp.Serving.Tests;

/// <summary>One <c>hypersharp serve</c> for the whole class: small pools and short limits, so limits are reached quickly.</summary>
public sealed class SharedServer : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (Hypervisor.IsAvailable)
        {
            Server = await ServerProcess.StartAsync("--pool-size", "2", "--call-timeout", "500", "--script-timeout", "500", "--max-body", "64K", "--memory", "8M");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>
/// <c>hypersharp serve</c> over real HTTP on loopback: guest functions with every value type, scripts in every language,
/// and every kind of bad request answered with its status and a JSON error, never a crash or a hang.
/// </summary>
public sealed class HttpServerTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HttpClient Client
    {
        get
        {
            Requirements.Kvm();
            return shared.Server.Client;
        }
    }

    public static TheoryData<string, string, string> RoundTrips => new()
    {
        { "EchoI32", "[-7]", "-7" },
        { "EchoU32", "[4294967295]", "4294967295" },
        { "EchoI64", "[-9223372036854775808]", "-9223372036854775808" },
        { "EchoU64", "[18446744073709551615]", "18446744073709551615" },
        { "EchoDouble", "[1.5]", "1.5" },
        { "EchoFloat", "[0.25]", "0.25" },
        { "EchoBool", "[true]", "true" },
        { "Echo", "[\"héllo \\u0000 ✓\"]", "\"héllo \\u0000 ✓\"" },
        { "EchoBytes", "[\"AAEC/w==\"]", "\"AAEC/w==\"" },
        { "Add", "[40, 2]", "42" },
        { "Nothing", "[]", "null" },
    };

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public async Task GuestFunctionsTakeAndReturnEveryValueTypeAsJson(string function, string arguments, string result)
    {
        using var response = await Client.PostAsync($"/functions/{function}", Json(arguments), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"{{\"result\":{result}}}", await response.Content.ReadAsStringAsync(Token));
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadCalls => new()
    {
        { "NoSuchFunction", "[]", HttpStatusCode.NotFound, "FunctionNotFound" },
        { "Add", "[1]", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "Add", "[1, \"2\"]", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "Add", "[1, 2147483648]", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "Add", "{\"a\": 1}", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "Add", "[1, 2", HttpStatusCode.BadRequest, "InvalidJson" },
        { "Add", "", HttpStatusCode.BadRequest, "InvalidJson" },
        { "Add", new string('[', 10_000) + new string(']', 10_000), HttpStatusCode.BadRequest, "InvalidJson" },
        { "EchoBytes", "[\"not base64!\"]", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "EchoDouble", "[1e400]", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "Echo", "[\"\\ud800\"]", HttpStatusCode.BadRequest, "InvalidArguments" },
        { "Spin", "[]", HttpStatusCode.RequestTimeout, "Timeout" },
        { "Abort", "[3]", HttpStatusCode.InternalServerError, "GuestAborted" },
        { "DivideByZero", "[]", HttpStatusCode.InternalServerError, "GuestFault" },
        { "CorruptOutput", "[1]", HttpStatusCode.InternalServerError, "GuestProtocolViolation" },
    };

    [Theory]
    [MemberData(nameof(BadCalls))]
    public async Task BadCallsAreAnsweredWithTheirStatusAndAJsonError(string function, string body, HttpStatusCode status, string type)
    {
        using var response = await Client.PostAsync($"/functions/{function}", Json(body), Token);
        Assert.Equal(status, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        await AssertStillServes();
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413WhetherOrNotItsLengthWasAnnounced()
    {
        var big = "[\"" + new string('x', 100 << 10) + "\"]";
        using var announced = await Client.PostAsync("/functions/Echo", Json(big), Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, announced.StatusCode);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/functions/Echo")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))),
        };
        chunked.Headers.TransferEncodingChunked = true;
        using var streamed = await Client.SendAsync(chunked, Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        await AssertStillServes();
    }

    public static TheoryData<string, string, string> Scripts => new()
    {
        { "javascript", "console.log('hi'); 6 * 7", "42" },
        { "js", "({a: [1, 'two']})", "{\"a\":[1,\"two\"]}" },
        { "python", "print('hi')\n6 * 7", "42" },
        { "lua", "print('hi') return 6 * 7", "42" },
    };

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task ScriptsAnswerTheirValueOutputAndDuration(string language, string code, string value)
    {
        Requirements.Interpreters([.. Enum.GetValues<ScriptLanguage>()]);
        using var response = await Client.PostAsync($"/scripts/{language}", Text(code), Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(value, document.RootElement.GetProperty("value").GetRawText());
        Assert.Equal(code.Contains("hi", StringComparison.Ordinal) ? "hi\n" : "", document.RootElement.GetProperty("stdout").GetString());
        Assert.True(document.RootElement.GetProperty("durationMs").GetDouble() > 0);
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadScripts => new()
    {
        { "javascript", "null.x", HttpStatusCode.UnprocessableEntity, "TypeError" },
        { "python", "def f(:\n  pass", HttpStatusCode.UnprocessableEntity, "SyntaxError" },
        { "lua", "error('boom')", HttpStatusCode.UnprocessableEntity, "RuntimeError" },
        { "javascript", "for (;;) {}", HttpStatusCode.RequestTimeout, "Timeout" },
        { "python", "while True:\n    pass", HttpStatusCode.RequestTimeout, "Timeout" },
        { "javascript", "let a = []; for (;;) a.push(new Array(1e6).fill(1));", HttpStatusCode.UnprocessableEntity, "InternalError" },
        // Lua's own stack lives on the heap: with --memory 8M it runs out before reaching Lua's depth limit.
        { "lua", "local function f() return f() + 1 end return f()", HttpStatusCode.UnprocessableEntity, "MemoryError" },
        { "cobol", "DISPLAY 'HI'.", HttpStatusCode.NotFound, "LanguageNotServed" },
    };

    [Theory]
    [MemberData(nameof(BadScripts))]
    public async Task FailingScriptsAreAnsweredWithTheirStatusAndError(string language, string code, HttpStatusCode status, string type)
    {
        Requirements.Interpreters([.. Enum.GetValues<ScriptLanguage>()]);
        using var response = await Client.PostAsync($"/scripts/{language}", Text(code), Token);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(type, (await ErrorOf(response)).GetProperty("type").GetString());
        await AssertStillServes();
    }

    [Fact]
    public async Task ScriptsThatAreNotUtf8OrTooLargeAreRefused()
    {
        Requirements.Interpreters(ScriptLanguage.JavaScript);
        using var binary = await Client.PostAsync("/scripts/javascript", new ByteArrayContent([0x31, 0xff, 0xfe]), Token);
        Assert.Equal(HttpStatusCode.BadRequest, binary.StatusCode);
        using var large = await Client.PostAsync("/scripts/javascript", Text(new string('1', 70 << 10)), Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, large.StatusCode);
    }

    [Fact]
    public async Task HealthReportsEveryPoolAtFullStrength()
    {
        await AssertStillServes();
        using var response = await Client.GetAsync("/healthz", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal("ok", document.RootElement.GetProperty("status").GetString());
        Assert.Contains("functions", document.RootElement.GetProperty("pools").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task MetricsAreExportedInPrometheusFormat()
    {
        using (await Client.PostAsync("/functions/Add", Json("[1, 2]"), Token))
        {
        }

        using var response = await Client.GetAsync("/metrics", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Token);
        Assert.Contains("# TYPE hypersharp_sandbox_call_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.Contains("hypersharp_function_name=\"Add\"", text, StringComparison.Ordinal);
        Assert.Contains("hypersharp_pool_sandbox_count", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherMethodsAndPathsAreRefused()
    {
        using var get = await Client.GetAsync("/functions/Add", Token);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        using var nowhere = await Client.PostAsync("/nowhere", Json("[]"), Token);
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
    }

    /// <summary>After a bad request, the server still answers a good one correctly.</summary>
    private async Task AssertStillServes()
    {
        using var response = await Client.PostAsync("/functions/Add", Json("[2, 3]"), Token);
        Assert.Equal("{\"result\":5}", await response.Content.ReadAsStringAsync(Token));
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        return document.RootElement.GetProperty("error").Clone();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static StringContent Text(string body) => new(body, Encoding.UTF8, "text/plain");
}
