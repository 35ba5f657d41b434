using System.Diagnostics;
using System.Globalization;
using MailKit.Net.Smtp;
using PetSitter.Email.Testing.Tests.Support;
using Xunit.Abstractions;

namespace PetSitter.Email.Testing.Tests.Server;

public class ScriptedSmtpServerThroughputTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_hundred_messages_over_one_connection_are_all_recorded(bool pipelining)
    {
        // The time is printed, not asserted: docs/testing-server.md explains the 40 ms-per-message stall
        // SmtpServer shows with PIPELINING and Nagle on, and this is where a regression would show.
        await using var server = await ScriptedSmtpServer.StartAsync(new() { AdvertisePipelining = pipelining });
        using var client = await TestClients.ConnectAsync(server);
        client.Capabilities.HasFlag(SmtpCapabilities.Pipelining).Should().Be(pipelining);
        var message = TestClients.Message();
        await client.SendAsync(message);

        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            await client.SendAsync(message);
        }

        stopwatch.Stop();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PIPELINING {(pipelining ? "on" : "off")}: 200 messages in {stopwatch.Elapsed.TotalMilliseconds:F0} ms ({stopwatch.Elapsed.TotalMilliseconds / 200:F2} ms per message)"));
        (await server.WaitForMessagesAsync(201, TestClients.Timeout())).Should().HaveCount(201);
    }
}
