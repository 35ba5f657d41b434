using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PetSitter.Email.AspNetCore.Tests.Unsubscribe;

/// <summary>The RFC 8058 endpoint over real HTTP (Kestrel on loopback), with links made by the library's factory.</summary>
public sealed partial class OneClickUnsubscribeEndpointTests
{
    private const string Client = "olivia.hart@clients.example";

    [Fact]
    public async Task A_one_click_post_with_a_valid_link_adds_the_address_to_its_businesss_list()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var link = app.Links.CreateUrl("paws", "Olivia.Hart@Clients.Example");

        using var response = await app.PostOneClickAsync(link);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.CacheControl!.NoStore.Should().BeTrue("the token is a credential for one address");
        (await response.Content.ReadAsStringAsync()).Should().Contain("You are unsubscribed").And.Contain(Client);
        var entry = (await app.List.FindAsync("paws", Client))!;
        entry.Reason.Should().Be(SuppressionReason.Unsubscribed);
        entry.SuppressedAt.Should().Be(app.Time.GetUtcNow());
    }

    [Fact]
    public async Task The_link_is_the_public_endpoint_url_with_an_opaque_token_that_names_no_address()
    {
        await using var app = await UnsubscribeApp.StartAsync();

        var link = app.Links.CreateUrl("paws", Client);

        link.GetLeftPart(UriPartial.Path).Should().Be(UnsubscribeApp.PublicEndpoint.AbsoluteUri);
        link.Query.Should().StartWith("?token=");
        link.AbsoluteUri.Should().NotContain("olivia").And.NotContain("paws");
        link.AbsoluteUri.Length.Should().BeLessThan(900, "it must fit the List-Unsubscribe header line");
    }

    [Fact]
    public async Task A_replayed_post_answers_the_same_and_keeps_the_first_unsubscribe()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var link = app.Links.CreateUrl("paws", Client);
        using var first = await app.PostOneClickAsync(link);
        var firstAt = app.Time.GetUtcNow();
        app.Time.Advance(TimeSpan.FromDays(3));

        using var replay = await app.PostOneClickAsync(link);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        replay.StatusCode.Should().Be(HttpStatusCode.OK, "a provider retrying its POST must not see an error");
        var entries = await app.List.ListAsync("paws");
        entries.Should().ContainSingle().Which.SuppressedAt.Should().Be(firstAt, "a replay changes nothing");
    }

    [Fact]
    public async Task Get_shows_a_confirmation_form_and_unsubscribes_no_one()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var link = app.Links.CreateUrl("paws", Client);

        using var page = await app.Client.GetAsync(UnsubscribeApp.Local(link));
        var html = await page.Content.ReadAsStringAsync();

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        html.Should().Contain("<form method=\"post\">").And.Contain("name=\"List-Unsubscribe\" value=\"One-Click\"");
        (await app.List.ListAsync("paws")).Should().BeEmpty("mail scanners follow every link: a GET must change nothing");

        // The page's button posts its hidden field to the same URL (the form has no action).
        var field = HiddenField().Match(html);
        using var submitted = await app.PostOneClickAsync(link, field.Groups["value"].Value);
        submitted.StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.List.FindAsync("paws", Client)).Should().NotBeNull();
    }

    [Fact]
    public async Task A_tampered_token_is_refused_and_changes_nothing()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var link = app.Links.CreateUrl("paws", Client).AbsoluteUri;
        var index = link.Length - 10;
        var tampered = new Uri(link[..index] + (link[index] == 'A' ? 'B' : 'A') + link[(index + 1)..]);

        using var post = await app.PostOneClickAsync(tampered);
        using var get = await app.Client.GetAsync(UnsubscribeApp.Local(tampered));

        post.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        get.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await get.Content.ReadAsStringAsync()).Should().Contain("not valid or has expired");
        (await app.List.ListAsync("paws")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("?token=")]
    [InlineData("?token=not-a-token")]
    [InlineData("?other=1")]
    public async Task A_missing_or_malformed_token_is_refused(string query)
    {
        await using var app = await UnsubscribeApp.StartAsync();

        using var response = await app.PostOneClickAsync(new Uri(UnsubscribeApp.PublicEndpoint.AbsoluteUri + query));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_link_older_than_its_lifetime_is_refused_and_one_just_younger_is_honoured()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var expiring = app.Links.CreateUrl("paws", Client);
        var fresh = app.Links.CreateUrl("paws", "sam.nguyen@clients.example");

        app.Time.Advance(OneClickUnsubscribeOptions.DefaultTokenLifetime - TimeSpan.FromMinutes(1));
        using var justInTime = await app.PostOneClickAsync(fresh);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        using var expired = await app.PostOneClickAsync(expiring);

        justInTime.StatusCode.Should().Be(HttpStatusCode.OK);
        expired.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await app.List.FindAsync("paws", Client)).Should().BeNull();
    }

    [Fact]
    public async Task Another_businesss_link_unsubscribes_from_that_business_only()
    {
        await using var app = await UnsubscribeApp.StartAsync();

        using var response = await app.PostOneClickAsync(app.Links.CreateUrl("claws", Client));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.List.FindAsync("claws", Client)).Should().NotBeNull();
        (await app.List.FindAsync("paws", Client)).Should().BeNull("the token names its business; no URL can point it at another");
    }

    [Fact]
    public async Task A_link_forged_with_another_key_ring_is_refused()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        await using var forger = await UnsubscribeApp.StartAsync();

        using var response = await app.PostOneClickAsync(forger.Links.CreateUrl("paws", Client));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await app.List.ListAsync("paws")).Should().BeEmpty();
    }

    [Fact]
    public async Task A_link_protected_for_another_purpose_by_the_same_key_ring_is_refused()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var other = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("SomeOtherFeature").ToTimeLimitedDataProtector();
        var token = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(other.Protect([0x04, 0x70, 0x61, 0x77, 0x73, 0x03, 0x61, 0x40, 0x62], app.Time.GetUtcNow().AddDays(1)));

        using var response = await app.PostOneClickAsync(new Uri($"{UnsubscribeApp.PublicEndpoint}?token={token}"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_post_without_the_one_click_form_field_is_refused()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var link = app.Links.CreateUrl("paws", Client);

        using var wrongValue = await app.PostOneClickAsync(link, "Yes");
        using var json = await app.Client.PostAsync(UnsubscribeApp.Local(link), new StringContent("{\"List-Unsubscribe\":\"One-Click\"}", System.Text.Encoding.UTF8, "application/json"));
        using var empty = await app.Client.PostAsync(UnsubscribeApp.Local(link), new FormUrlEncodedContent([]));

        wrongValue.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        json.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await app.List.ListAsync("paws")).Should().BeEmpty();
    }

    [Fact]
    public async Task No_log_record_of_the_library_carries_the_token_or_the_address()
    {
        await using var app = await UnsubscribeApp.StartAsync();
        var link = app.Links.CreateUrl("paws", Client);
        var token = link.Query["?token=".Length..];

        using var _ = await app.PostOneClickAsync(link);
        using var __ = await app.PostOneClickAsync(link);
        using var ___ = await app.PostOneClickAsync(new Uri(link.AbsoluteUri + "x"));

        // The library's own records only: ASP.NET Core's request log (Microsoft.AspNetCore.Hosting.Diagnostics, Information)
        // writes every URL with its query, the token included; docs/deliverability.md says how to quieten it.
        var records = app.Logs.GetSnapshot().Where(r => r.Category?.StartsWith("PetSitter.Email", StringComparison.Ordinal) == true).ToList();
        records.Should().Contain(r => r.Id.Id == 6001, "the unsubscribe is logged");
        records.Should().NotContain(r => r.Message.Contains(token, StringComparison.Ordinal) || r.Message.Contains(Client, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_list_that_cannot_be_written_answers_503_so_the_provider_retries()
    {
        await using var app = await UnsubscribeApp.StartAsync(configure: services => services.AddSingleton<ISuppressionList, UnwritableList>());

        using var response = await app.PostOneClickAsync(app.Links.CreateUrl("paws", Client));

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
    }

    [Theory]
    [InlineData(null, "EndpointUrl is required")]
    [InlineData("http://app.example/email/unsubscribe", "absolute https URL")]
    [InlineData("https://app.example/email/unsubscribe?x=1", "no query")]
    public async Task A_wrong_endpoint_url_stops_start_up_naming_the_option(string? url, string expected)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton<IBusinessEmailSettingsProvider>(new Businesses());
        builder.Services.AddPetSitterEmail().UseOneClickUnsubscribe(options => options.EndpointUrl = url is null ? null : new Uri(url));
        await using var app = builder.Build();

        // Mapping reads the options already, so the app stops at whichever comes first.
        var start = async () =>
        {
            app.MapPetSitterEmailUnsubscribe();
            await app.StartAsync();
        };

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("OneClickUnsubscribeOptions.").And.Contain(expected);
    }

    [Fact]
    public async Task Mapping_without_the_services_says_what_to_call()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddPetSitterEmail();
        await using var app = builder.Build();

        var map = () => app.MapPetSitterEmailUnsubscribe();

        map.Should().Throw<InvalidOperationException>().WithMessage("*UseOneClickUnsubscribe*");
    }

    [GeneratedRegex("name=\"List-Unsubscribe\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex HiddenField();

    /// <summary>A shared list whose store is down.</summary>
    private sealed class UnwritableList : ISuppressionList
    {
        public ValueTask<bool> AddAsync(string businessId, string address, SuppressionReason reason, CancellationToken cancellationToken = default) => throw new TimeoutException("store timed out");

        public ValueTask<bool> RemoveAsync(string businessId, string address, CancellationToken cancellationToken = default) => throw new TimeoutException("store timed out");

        public ValueTask<SuppressionEntry?> FindAsync(string businessId, string address, CancellationToken cancellationToken = default) => throw new TimeoutException("store timed out");

        public ValueTask<IReadOnlyList<SuppressionEntry>> ListAsync(string businessId, CancellationToken cancellationToken = default) => throw new TimeoutException("store timed out");
    }
}
