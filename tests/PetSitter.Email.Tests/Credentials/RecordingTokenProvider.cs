using System.Collections.Concurrent;

namespace PetSitter.Email.Tests.Credentials;

/// <summary>An app's token store for tests: answers each request with <c>answer</c> and records what was asked.</summary>
internal sealed class RecordingTokenProvider : ISmtpAccessTokenProvider
{
    private readonly Func<SmtpAccessTokenRequest, string> _answer;
    private readonly ConcurrentQueue<SmtpAccessTokenRequest> _requests = new();

    public RecordingTokenProvider(Func<SmtpAccessTokenRequest, string> answer)
    {
        _answer = answer;
    }

    /// <summary>A cached token first, a fresh one when asked to refresh.</summary>
    public static RecordingTokenProvider StaleThenFresh(string stale, string fresh) => new(request => request.ForceRefresh ? fresh : stale);

    public IReadOnlyList<SmtpAccessTokenRequest> Requests => [.. _requests];

    public ValueTask<string> GetAccessTokenAsync(SmtpAccessTokenRequest request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return ValueTask.FromResult(_answer(request));
    }
}
