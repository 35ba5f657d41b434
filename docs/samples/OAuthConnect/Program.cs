using PetSitter.Email;
using PetSitter.Email.OAuth;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton<IBusinessEmailSettingsProvider, ConnectedMailboxSettings>();
builder.Services
    .AddPetSitterEmail(options => options.Native.PlatformFromAddress = "mailer@petsoftware.net")
    .AddOAuth(options =>
    {
        options.StateKey = builder.Configuration["Email:OAuth:StateKey"]; // openssl rand -base64 32, the same on every instance
        options.Microsoft.ClientId = builder.Configuration["Email:OAuth:Microsoft:ClientId"];
        options.Microsoft.ClientSecret = builder.Configuration["Email:OAuth:Microsoft:ClientSecret"];
        options.Google.ClientId = builder.Configuration["Email:OAuth:Google:ClientId"];
        options.Google.ClientSecret = builder.Configuration["Email:OAuth:Google:ClientSecret"];
    })
    .UseInMemoryGrantStore(); // for a demo only: register your database's ISmtpOAuthGrantStore instead

var app = builder.Build();
var callback = "/settings/email/oauth/callback";

// The settings page's "Connect Microsoft 365" / "Connect Google" button. Check first that the signed-in user may manage this business.
app.MapGet("/settings/email/{businessId}/connect/{provider}", async (string businessId, string provider, HttpContext http, ISmtpOAuthConnector oauth) =>
{
    var redirectUri = new Uri($"{http.Request.Scheme}://{http.Request.Host}{callback}");
    var request = await oauth.CreateAuthorizationRequestAsync(businessId, http.User.Identity!.Name!, provider, redirectUri, cancellationToken: http.RequestAborted);
    return Results.Redirect(request.AuthorizationUri.AbsoluteUri);
});

// The provider sends the owner back here: a state made for another user or business, replayed or too old stores nothing.
app.MapGet(callback, async (HttpContext http, ISmtpOAuthConnector oauth) =>
{
    var query = http.Request.Query.ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
    var result = await oauth.CompleteAsync(SmtpOAuthCallback.From(query), http.User.Identity!.Name!, cancellationToken: http.RequestAborted);
    return Results.Redirect($"/settings/email/{result.BusinessId}?connected={result.Succeeded}&message={Uri.EscapeDataString(result.Message)}");
});

// The button to show next to the advice: "Connect with Microsoft" after Basic auth is turned off, "Reconnect" after a revoked grant.
app.Services.GetRequiredService<IAccountHealthMonitor>().HealthChanged += (_, change) =>
    Console.WriteLine($"{change.BusinessId}: {change.Advice} [button: {change.RequiredAction}]");

app.Run();

sealed class ConnectedMailboxSettings(ISmtpOAuthGrantStore grants, ISmtpOAuthConnector oauth) : IBusinessEmailSettingsProvider
{
    public async ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken)
    {
        var grant = await grants.GetAsync(businessId, cancellationToken);
        return new BusinessEmailSettings
        {
            BusinessId = businessId,
            BusinessName = "Paws & Claws",
            ReplyToAddress = grant?.Mailbox ?? "hello@pawsandclaws.example",
            Smtp = grant is null ? null : oauth.CreateSmtpSettings(grant), // the mailbox from the ID token signs in with XOAUTH2
        };
    }
}
