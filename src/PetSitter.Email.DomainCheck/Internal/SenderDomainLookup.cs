using DnsClient;

using System.Net;

namespace PetSitter.Email.DomainCheck;

/// <summary>
/// The sender-domain check's TXT lookups (DnsClient), each bounded by <see cref="SenderDomainCheckRequest.DnsTimeout"/> on the
/// injected clock. The first lookup that fails or times out is remembered, and every later one answers with the same
/// failure at once: one silent server costs one timeout, not one per record.
/// </summary>
internal sealed class SenderDomainLookup
{
    private readonly LookupClient _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    public SenderDomainLookup(IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, TimeProvider time)
    {
        _time = time;
        _timeout = timeout;
        var settings = servers.Count == 0 ? new LookupClientOptions() : new LookupClientOptions([.. servers]);
        settings.Timeout = timeout;
        settings.Retries = 0;
        settings.UseCache = false;

        // An answer of "no such name" is an answer (the record is missing), not a failure.
        settings.ThrowDnsErrors = false;
        _client = new LookupClient(settings);
    }

    /// <summary>Gets why the lookups stopped, or <see langword="null"/> while the server answers.</summary>
    public string? FailedBecause { get; private set; }

    /// <summary>Looks up the TXT records at <paramref name="name"/>, each as one string (its parts joined).</summary>
    /// <returns>The records (empty when there are none or the name does not exist); <see langword="null"/> when the lookup failed (see <see cref="FailedBecause"/>).</returns>
    public async Task<IReadOnlyList<string>?> TxtAsync(string name, CancellationToken cancellationToken)
    {
        if (FailedBecause is not null)
        {
            return null;
        }

        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var response = await _client.QueryAsync(name, QueryType.TXT, QueryClass.IN, linked.Token).ConfigureAwait(false);
            if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            {
                FailedBecause = $"the DNS server answered the lookup of {name} with an error ({response.ErrorMessage})";
                return null;
            }

            return [.. response.Answers.TxtRecords().Select(record => string.Concat(record.Text))];
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            FailedBecause = $"the DNS server did not answer the lookup of {name} within {DnsSenderDomainCheck.Seconds(_timeout)}";
        }
        catch (DnsResponseException exception) when (exception.Code == DnsResponseCode.ConnectionTimeout)
        {
            FailedBecause = $"the DNS server did not answer the lookup of {name} within {DnsSenderDomainCheck.Seconds(_timeout)}";
        }
        catch (DnsResponseException exception)
        {
            FailedBecause = $"the lookup of {name} failed ({exception.Message})";
        }
        catch (System.Net.Sockets.SocketException exception)
        {
            FailedBecause = $"the lookup of {name} failed ({exception.Message})";
        }

        return null;
    }
}
