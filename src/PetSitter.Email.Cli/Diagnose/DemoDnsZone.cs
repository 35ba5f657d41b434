using System.Net;
using System.Security.Cryptography;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace PetSitter.Email.Cli.Diagnose;

/// <summary>
/// The DNS zone <c>diagnose --demo</c> owns: a DNS server inside this process on a free 127.0.0.1 port (ARSoft.Tools.Net's
/// <see cref="DnsServer"/>) answering only its canned TXT records, so the demo shows the sender-domain findings through
/// the same lookups as a real diagnosis, deterministically and without the network. Any other name is "no such name".
/// </summary>
internal sealed class DemoDnsZone : IDisposable
{
    private readonly DnsServer _server;
    private readonly Dictionary<string, string> _records;

    private DemoDnsZone(IPEndPoint endpoint, Dictionary<string, string> records)
    {
        Endpoint = endpoint;
        _records = records;
        _server = new DnsServer(new UdpServerTransport(endpoint));
        _server.QueryReceived += AnswerAsync;
        _server.Start();
    }

    public IPEndPoint Endpoint { get; }

    /// <summary>
    /// Starts the zone: <c>gmail.example</c> (the healthy account's domain) authorises Google, publishes its DKIM key and
    /// a DMARC policy of p=none; <c>furfriends.example</c> has none of the three. Google's own records are trimmed to the
    /// range holding the catalogue's sending address (the include of https://support.google.com/a/answer/10685031).
    /// </summary>
    public static DemoDnsZone Start()
    {
        using var rsa = RSA.Create(1024);
        var records = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["_spf.google.com"] = "v=spf1 include:_netblocks.google.com ~all",
            ["_netblocks.google.com"] = "v=spf1 ip4:64.233.160.0/19 ip4:209.85.128.0/17 ~all",
            ["gmail.example"] = "v=spf1 include:_spf.google.com ~all",
            ["google._domainkey.gmail.example"] = $"v=DKIM1; k=rsa; p={Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())}",
            ["_dmarc.gmail.example"] = "v=DMARC1; p=none; rua=mailto:dmarc@gmail.example",
            ["furfriends.example"] = "google-site-verification=furfriends-demo",
        };
        using var probe = new System.Net.Sockets.UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var endpoint = (IPEndPoint)probe.Client.LocalEndPoint!;
        probe.Close();
        return new DemoDnsZone(endpoint, records);
    }

    public void Dispose() => _server.Stop();

    private Task AnswerAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
        {
            return Task.CompletedTask;
        }

        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        response.ReturnCode = ReturnCode.NxDomain;
        foreach (var question in query.Questions)
        {
            var name = question.Name.ToString().TrimEnd('.');
            if (_records.TryGetValue(name, out var text))
            {
                response.ReturnCode = ReturnCode.NoError;
                if (question.RecordType is RecordType.Txt or RecordType.Any)
                {
                    response.AnswerRecords.Add(new TxtRecord(DomainName.Parse(name), 300, text));
                }
            }
        }

        e.Response = response;
        return Task.CompletedTask;
    }
}
