using Microsoft.Extensions.Options;

namespace PetSitter.Email.AspNetCore.Unsubscribe;

/// <summary>The endpoint's URL with a token for the recipient: what the core puts in <c>List-Unsubscribe</c>.</summary>
internal sealed class DataProtectionUnsubscribeLinkFactory(UnsubscribeTokens tokens, IOptions<OneClickUnsubscribeOptions> options) : IUnsubscribeLinkFactory
{
    private readonly string _endpoint = options.Value.EndpointUrl?.AbsoluteUri
        ?? throw new InvalidOperationException("OneClickUnsubscribeOptions.EndpointUrl is required: set it in UseOneClickUnsubscribe(options => options.EndpointUrl = new Uri(\"https://app.example/email/unsubscribe\")).");

    public Uri CreateUrl(string businessId, string address) => new($"{_endpoint}?token={tokens.Create(businessId, address)}");
}
